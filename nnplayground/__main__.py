from nnplayground.cli import main

raise SystemExit(main())
