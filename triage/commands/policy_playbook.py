"""policy check, playbook check: validate the escalation policy and the playbook files."""

from __future__ import annotations

import argparse

from triage.commands.common import EXIT_ERROR, EXIT_OK, err


def cmd_policy_check(args: argparse.Namespace) -> int:
    from triage.escalate.policy import Policy, default_policy_path
    from triage.escalate.tomlsource import SourceError

    try:
        policy = Policy.load(args.file)
    except SourceError as exc:
        err(str(exc))
        return EXIT_ERROR
    leaders = ", ".join(leader.name for leader in policy.leaders) or "none"
    on = [k for k, f in policy.flags.items() if f.escalate]
    print(f"policy ok: {args.file or default_policy_path()} — leaders: {leaders}; "
          f"escalating flags: {', '.join(on)}; reach threshold "
          f"{int(policy.flags['reach'].params.get('threshold', 0)):,}")
    return EXIT_OK


def cmd_playbook_check(args: argparse.Namespace) -> int:
    from triage.paths import responses_dir
    from triage.playbook.check import check_folder

    folder = args.dir or responses_dir()
    problems = check_folder(folder)
    for p in problems:
        err(str(p))
    if problems:
        err(f"{len(problems)} problem(s) in the playbook at {folder}")
        return EXIT_ERROR
    print(f"playbook ok: {folder}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("policy", help="the escalation policy (flags, leaders, thresholds)")
    psub = p.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    c = psub.add_parser("check", help="validate a policy file laid over the defaults")
    c.add_argument("file", nargs="?", help="your policy TOML (default: the shipped defaults)")
    c.set_defaults(func=cmd_policy_check)

    p = sub.add_parser("playbook", help="the response playbook (drafts, voices, holding "
                                        "statements)")
    psub = p.add_subparsers(dest="playbook_command", metavar="ACTION", required=True)
    c = psub.add_parser("check", help="validate the playbook files (file and line for "
                                      "each problem)")
    c.add_argument("dir", nargs="?", help="folder with playbook.toml (default: the shipped one)")
    c.set_defaults(func=cmd_playbook_check)
