"""`opgaveudvalg web`: serve the citizens' application form (see opgaveudvalg.web.app)."""

from typing import Annotated

import typer

from opgaveudvalg.settings import get_settings

commands = typer.Typer()


@commands.command("web")
def web(
    host: Annotated[str, typer.Option(help="Adressen, der lyttes på")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Porten")] = 8000,
) -> None:
    """Vis opslag og ansøgningsformular for de udvalg, der rekrutterer (dansk og engelsk).
    Sæt den bag kommunens webserver med TLS; se README."""
    import uvicorn

    from opgaveudvalg.web.app import create_app

    # X-Forwarded-For is read by the app itself, only from `web_trusted_proxies`; requests are
    # logged by the web server in front (uvicorn's access log would hold citizens' addresses).
    uvicorn.run(
        create_app(get_settings()), host=host, port=port, proxy_headers=False, access_log=False
    )
