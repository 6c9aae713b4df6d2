"""`lantunan admin new-key` for channel keys (scoped to named channels) and with --key-file
(the key goes to a 0600 file, not to the terminal)."""

from __future__ import annotations

import stat
from pathlib import Path

from test_cli import run_in


def test_channel_key_is_scoped_and_key_file_keeps_it_off_stdout(tmp_path: Path) -> None:
    from api.auth import authenticate
    from api.db import Database

    data = tmp_path / "data"
    target = tmp_path / "kunci" / "webchat.key"
    proc = run_in(["admin", "new-key", "--name", "Web chat", "--role", "channel",
                   "--channel", "webchat", "--channel", "bridge", "--key-file", str(target)],
                  tmp_path, data)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    key = target.read_text().strip()
    assert key.startswith("lt_") and key not in proc.stdout + proc.stderr
    assert str(target.resolve()) in proc.stdout and "bridge,webchat" in proc.stdout

    db = Database(f"sqlite:///{data / 'lantunan.sqlite3'}")
    try:
        who = authenticate(db, key, None)
    finally:
        db.dispose()
    assert who.role.value == "channel" and who.channels == frozenset({"webchat", "bridge"})

    listed = run_in(["admin", "keys"], tmp_path, data)
    assert "kanal: bridge,webchat" in listed.stdout and key not in listed.stdout
    # A channel key without a channel, a channel on another role, a bad name: refused, no key.
    for args in (["--role", "channel"], ["--role", "officer", "--channel", "web"],
                 ["--role", "channel", "--channel", "Web Chat"],
                 ["--role", "channel", "--channel", "whatsapp"]):
        bad = run_in(["admin", "new-key", "--name", "x", *args], tmp_path, data)
        assert bad.returncode == 2 and bad.stderr.strip() and "lt_" not in bad.stdout, args
    listed_after = run_in(["admin", "keys"], tmp_path, data)
    assert listed_after.stdout.count("kanal:") == 1
