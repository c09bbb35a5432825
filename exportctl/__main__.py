from exportctl.cli.main import main

main()
