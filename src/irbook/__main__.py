from irbook.cli import main

main()
