"""The reviewed-answer match rule is chosen from labelled matches: no wrong match accepted."""

from responder.judge.train_reviewed import MatchRow, Rule, choose_rule


def _row(dense: float, lexical: float, right: bool) -> MatchRow:
    return MatchRow(text=f"{dense}/{lexical}", answer_id="faq-x", dense=dense, lexical=lexical,
                    right=right)


def test_rule_accepts_no_wrong_match_and_most_right_ones() -> None:
    rows = [_row(0.95, 0.90, True), _row(0.93, 0.85, True), _row(0.99, 0.40, True),
            _row(0.94, 0.60, False), _row(0.91, 0.95, False), _row(0.85, 0.99, False)]
    rule, report = choose_rule(rows)
    accepted = [r for r in rows if rule.accepts(r)]
    assert all(r.right for r in accepted)
    assert len(accepted) == 3 and report["accepted"] == 3
    assert report["recall_of_right_matches"] == 1.0


def test_ties_go_to_the_most_conservative_rule() -> None:
    rows = [_row(0.96, 0.90, True), _row(0.80, 0.50, False)]
    rule, _ = choose_rule(rows)
    # Many rules accept the right match and not the wrong one: the highest thresholds win,
    # the cosine alone never suffices (1.00) and the pair test sits on the right match.
    assert rule == Rule(dense_min=0.96, lexical_min=0.9, dense_alone=1.0)
