"""Curation over HTTP: upload (multipart, real ingest), replace, bad files, status, remove."""

from __future__ import annotations

import pytest

SOP = b"""# SOP Uji Layanan Parkir Kendaraan Dinas

Unit: DPMPTSPTK Kabupaten Balangan
Status dokumen: berlaku

## 1. Tujuan

Prosedur ini mengatur parkir kendaraan dinas di halaman kantor pelayanan perizinan.

## 2. Ketentuan

1. Kendaraan dinas diparkir di area timur gedung.
2. Pengunjung memakai area barat gedung.
"""


@pytest.fixture(scope="module")
def curator(server) -> str:
    r = server.client().post("/api/v1/users", json={"name": "Kurator Uji", "role": "curator"})
    return r.json()["key"]


def upload(server, key, name, data, **form):
    return server.client(key).post("/api/v1/documents", files={"file": (name, data)}, data=form)


def test_upload_replace_status_remove(server, curator):
    c = server.client(curator)
    r = upload(server, curator, "sop-uji-parkir.md", SOP)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["outcome"] == "added" and body["chunks"] >= 2
    doc_id = body["document"]["id"]
    assert doc_id == "sop-uji-parkir" and body["document"]["kind"] == "sop"
    assert doc_id in [d["id"] for d in c.get("/api/v1/documents").json()]
    # Same bytes again: unchanged; changed text: replaced.
    assert upload(server, curator, "sop-uji-parkir.md", SOP).json()["outcome"] == "unchanged"
    changed = SOP.replace(b"area timur", b"area utara")
    r = upload(server, curator, "sop-uji-parkir.md", changed)
    assert r.status_code == 201 and r.json()["outcome"] == "replaced"

    r = c.post(f"/api/v1/documents/{doc_id}/status",
               json={"status": "dicabut", "replaced_by": "sop-parkir-2027"})
    assert r.status_code == 200
    assert r.json()["status"] == "dicabut" and r.json()["replaced_by"] == "sop-parkir-2027"
    assert c.post(f"/api/v1/documents/{doc_id}/status",
                  json={"status": "hilang"}).status_code == 422
    assert c.post("/api/v1/documents/tidak-ada/status",
                  json={"status": "dicabut"}).status_code == 404

    assert c.delete(f"/api/v1/documents/{doc_id}").status_code == 200
    assert doc_id not in [d["id"] for d in c.get("/api/v1/documents").json()]
    assert c.delete(f"/api/v1/documents/{doc_id}").status_code == 404
    kb_actions = [e["action"] for e in server.client().get(
        "/api/v1/audit", params={"target_id": doc_id}).json()["items"]]
    assert kb_actions.count("kb.upload") == 3
    assert {"kb.set_status", "kb.remove"} <= set(kb_actions)
    assert all(e["actor"].startswith("curator:Kurator Uji") for e in server.client().get(
        "/api/v1/audit", params={"target_id": doc_id}).json()["items"])


def test_bad_files_are_422_with_the_ingest_error(server, curator):
    cases = [
        ("kosong.md", b"", "kosong"),
        ("tanpa-ekstensi", b"teks", "ekstensi"),
        ("rusak.pdf", b"%PDF-1.4 ini bukan pdf", "rusak.pdf"),
        ("faq-rusak.yaml", b"- id: x\n  question: [tidak ditutup\n", "faq-rusak.yaml"),
    ]
    before = {d["id"] for d in server.client(curator).get("/api/v1/documents").json()}
    for name, data, expected in cases:
        r = upload(server, curator, name, data)
        assert r.status_code == 422, (name, r.text)
        assert expected in r.json()["detail"], (name, r.json())
        assert "/tmp" not in r.json()["detail"]  # the curator sees the uploaded name only
    after = {d["id"] for d in server.client(curator).get("/api/v1/documents").json()}
    assert after == before
    # Form fields are validated too; a missing file is a 422, not a crash.
    assert upload(server, curator, "sop-x.md", SOP, status="kadaluarsa").status_code == 422
    r = server.client(curator).post("/api/v1/documents", data={"status": "berlaku"})
    assert r.status_code == 422
    r = server.client(curator).post("/api/v1/documents", content=b"--xx\r\nbroken",
                                    headers={"Content-Type": "multipart/form-data; boundary=xx"})
    assert 400 <= r.status_code < 500


def test_reviewed_answers_listed(server, curator):
    answers = server.client(curator).get("/api/v1/reviewed-answers").json()
    faq = [a for a in answers if a["origin"] == "faq"]
    assert faq and all(a["question"] and a["answer"] for a in faq)
    assert "faq-biaya-nib" in [a["id"] for a in faq]
    assert server.client(curator).get("/api/v1/reviewed-answers",
                                      params={"origin": "x"}).status_code == 422
