from livehouse.cli import app

app()
