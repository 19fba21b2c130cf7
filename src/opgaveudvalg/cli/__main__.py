from opgaveudvalg.cli.main import main

main()
