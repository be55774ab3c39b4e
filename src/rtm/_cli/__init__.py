"""Implementation of the ``rtm`` command line (entry point: :func:`rtm.cli.main`).

* :mod:`rtm._cli.config`: connection settings (flags > environment > config file > the local
  development project);
* :mod:`rtm._cli.output`: human and ``--json`` output, progress indicator, error lines;
* :mod:`rtm._cli.argtypes`: argument types (ids, id lists, times);
* :mod:`rtm._cli.commands`: one handler per subcommand;
* :mod:`rtm._cli.parser`: the argparse tree and :func:`run`.
"""
