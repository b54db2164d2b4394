"""incident list|show|phase|close: look at incidents, move their phase, close one with a
summary."""

from __future__ import annotations

import argparse

from triage.commands.common import EXIT_ERROR, EXIT_OK, current_user, err, open_store


def _when(dt) -> str:
    return dt.strftime("%Y-%m-%d %H:%MZ") if dt else "—"


def cmd_list(args: argparse.Namespace) -> int:
    from triage.incidents import list_incidents
    from triage.safe_text import one_line

    with open_store(args) as store:
        incidents = list_incidents(store.conn)
    if not incidents:
        print("no incidents")
        return EXIT_OK
    for i in incidents:
        status = f"closed {_when(i.closed_at)}" if i.closed else "open"
        print(f"#{i.id:<4} {one_line(i.kind, 12):<12} {i.mentions:>6} mentions  opened "
              f"{_when(i.opened_at)}  {status:<24} {one_line(i.title, 60)}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from triage.incidents import close_cut, get_incident
    from triage.safe_text import strip_controls

    with open_store(args) as store:
        i = get_incident(store.conn, args.id)
        cut = close_cut(store.conn, i.id)
        by_state = store.query(
            "SELECT m.state, COUNT(*) FROM mentions m JOIN incident_mentions im ON"
            " im.mention_id = m.id WHERE im.incident_id = ? GROUP BY m.state ORDER BY"
            " m.state", (i.id,))
    print(f"incident #{i.id}: {strip_controls(i.title)}")
    print(f"  kind      {strip_controls(i.kind)}   phase {strip_controls(i.phase)}")
    print(f"  opened    {_when(i.opened_at)}")
    print(f"  closed    {_when(i.closed_at) if i.closed else 'no (still open)'}")
    print(f"  mentions  {i.mentions}: " + (", ".join(f"{r[0]} {r[1]}" for r in by_state)
                                           or "none"))
    if i.summary:  # escalation's detection note until someone closes it with a summary
        label = "summary " if cut and cut.summarised and i.closed else "detected"
        print(f"  {label}  {strip_controls(i.summary)}")
    if i.closed and cut and not cut.summarised:
        print(f"  resolved without a summary: calmreply incident close {i.id} --summary ...")
    if i.closed and cut:
        print(f"  log cut at audit seq {cut.seq}; verify: {cut.head.verify_command}")
    print(f"  export    calmreply export --incident {i.id} -o incident-{i.id}.md")
    return EXIT_OK


def cmd_close(args: argparse.Namespace) -> int:
    from triage.incidents import close_cut, close_incident

    with open_store(args) as store:
        i = close_incident(store, args.id, args.summary, args.actor)
        cut = close_cut(store.conn, i.id)
    print(f"closed incident #{i.id} ({i.mentions} mentions); its export is now final")
    if cut:
        print(f"chain head at close: seq {cut.seq}; verify: {cut.head.verify_command}")
    return EXIT_OK


def cmd_phase(args: argparse.Namespace) -> int:
    from triage.escalate.incidents import set_phase
    from triage.incidents import CLOSED_PHASE, get_incident

    if args.phase == CLOSED_PHASE:
        err(f"resolving ends the incident's log: use `calmreply incident close {args.id} "
            "--summary \"what happened, what we said\"`")
        return EXIT_ERROR
    with open_store(args) as store:
        before = get_incident(store.conn, args.id)
        set_phase(store, args.id, args.phase, args.actor)
    reopened = " (reopened)" if before.closed else ""
    print(f"incident #{args.id}: phase {before.phase} -> {args.phase}{reopened}")
    return EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:
    from triage.incidents import PHASES

    p = sub.add_parser("incident", help="list, show or close incidents")
    isub = p.add_subparsers(dest="incident_command", metavar="ACTION", required=True)
    ls = isub.add_parser("list", help="all incidents, oldest first")
    ls.set_defaults(func=cmd_list)
    show = isub.add_parser("show", help="one incident in detail")
    show.add_argument("id", type=int)
    show.set_defaults(func=cmd_show)
    phase = isub.add_parser("phase", help="move an open incident to another phase (selects "
                                          "the playbook's holding statement)")
    phase.add_argument("id", type=int)
    phase.add_argument("phase", choices=PHASES)
    phase.add_argument("--as", dest="actor", default=current_user(),
                       help="who is changing it (audited; default: %(default)s)")
    phase.set_defaults(func=cmd_phase)
    close = isub.add_parser("close", help="close an incident with a summary for leadership")
    close.add_argument("id", type=int)
    close.add_argument("--summary", required=True,
                       help="what happened and what we said (goes into every export)")
    close.add_argument("--as", dest="actor", default=current_user(),
                       help="who is closing it (audited; default: %(default)s)")
    close.set_defaults(func=cmd_close)
