from synth_lsp.cli import main

raise SystemExit(main())
