"""One module per `harness` subcommand, each with `configure(parser)` and `main(args) -> int`."""
