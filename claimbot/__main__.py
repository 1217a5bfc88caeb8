from claimbot.cli import main

raise SystemExit(main())
