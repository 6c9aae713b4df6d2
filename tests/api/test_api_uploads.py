"""Uploads against a real server: authentication before the body is read, zip-bomb and page
caps, console and background uploads. Drafting during a large upload is shown with a 300-page
PDF in test_api_upload_jobs.py."""

from __future__ import annotations

import io
import socket
import time
import zipfile
from urllib.parse import urlparse

from api_support import ADMIN_KEY, wait_until


def _raw_upload_head(server, headers: dict[str, str], declared: int = 15_000_000) -> str:
    """Send only the headers and a little of a large upload; return the status line the server
    answers with before the rest of the body was sent."""
    url = urlparse(server.base_url)
    lines = [f"POST /api/v1/documents HTTP/1.1", f"Host: {url.netloc}",
             "Content-Type: multipart/form-data; boundary=xyz",
             f"Content-Length: {declared}", *[f"{k}: {v}" for k, v in headers.items()], "", ""]
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall("\r\n".join(lines).encode() + b"--xyz\r\n" + b"x" * 4096)
        return sock.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_upload_authenticated_before_buffering(server):
    officer = server.client().post("/api/v1/users", json={"name": "Ola", "role": "officer"}
                                   ).json()["key"]
    started = time.monotonic()
    assert " 401 " in _raw_upload_head(server, {}) + " "
    assert " 401 " in _raw_upload_head(server, {"Authorization": "Bearer salah"}) + " "
    assert " 403 " in _raw_upload_head(server, {"Authorization": f"Bearer {officer}"}) + " "
    # Answered at the headers: 15 MB were never sent, so nothing was waited for.
    assert time.monotonic() - started < 5


def _zip_bomb(size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                member.write(block)
    return buf.getvalue()


def test_zip_bomb_and_page_cap_refused(server):
    bomb = _zip_bomb(300_000_000)  # 300 MB of zeros in ~300 kB
    assert len(bomb) < 1_000_000
    r = server.client().post("/api/v1/documents", files={"file": ("sop-bom.docx", bomb)})
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "unpacked_too_large"

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(2001):
        writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    r = server.client().post("/api/v1/documents", files={"file": ("pp-tebal.pdf",
                                                                  out.getvalue())})
    assert r.status_code == 413, r.text
    assert r.json()["code"] == "too_many_pages" and "2001" in r.json()["detail"]
    names = [d["id"] for d in server.client().get("/api/v1/documents").json()]
    assert "sop-bom" not in names and "pp-tebal" not in names


def _big_sop(sections: int = 200) -> bytes:
    parts = ["# SOP Uji Unggah Besar\n"]
    for i in range(sections):
        parts.append(f"\n## {i + 1}. Bagian uji nomor {i + 1}\n")
        for j in range(8):
            parts.append(f"Ketentuan {i + 1}.{j + 1}: pemohon kategori {i * 8 + j} menyiapkan "
                         f"berkas jenis {j + 1} untuk layanan nomor {i + 1} dengan catatan "
                         f"khusus kode {(i * 31 + j * 7) % 997}. ")
    return "".join(parts).encode()


def test_console_upload_checks_session_before_body(server):
    import re

    import httpx

    with httpx.Client(base_url=server.base_url, timeout=60, follow_redirects=False) as c:
        files = {"berkas": ("sop-konsol.md", b"# SOP Konsol\n\n## 1. Jam\n\nBuka pukul 08.00.\n")}
        r = c.post("/basis-pengetahuan/unggah", files=files, data={"csrf": "x"})
        assert r.status_code == 303 and r.headers["location"] == "/masuk"
        token = re.search(r'name="token" value="([^"]+)"', c.get("/masuk").text).group(1)
        assert c.post("/masuk", data={"kunci": ADMIN_KEY, "token": token}).status_code == 303
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/basis-pengetahuan").text).group(1)
        r = c.post("/basis-pengetahuan/unggah", files=files, data={"csrf": csrf})
        assert r.status_code == 303, r.text[:500]
        # The upload runs as a job: the curator lands on its progress page.
        job_page = r.headers["location"]
        assert re.fullmatch(r"/basis-pengetahuan/unggah/[0-9a-f]{32}\?lanjut=1", job_page)
        status_url = job_page.split("?")[0] + "/status"
        job = wait_until(lambda: (lambda j: j if j["stage"] in ("done", "failed") else None)(
            c.get(status_url, headers={"X-Requested-With": "fetch"}).json()), 60, 0.2)
        assert job and job["stage"] == "done", job
        assert job["next_url"].startswith("/basis-pengetahuan?unggah=sop-konsol")
    names = [d["id"] for d in server.client().get("/api/v1/documents").json()]
    assert "sop-konsol" in names
    # Leave the shared server's knowledge base as it was for the other tests.
    assert server.client().delete("/api/v1/documents/sop-konsol").status_code == 200


def test_background_upload_job_reports_progress(server):
    """background=true: 202 with a job at once; the job moves through parsing, embedding and
    switching to done, and the document is then listed."""
    # Fresh text each run: cached vectors of an earlier run would leave nothing to embed.
    body = _big_sop(30).replace(b"Ketentuan", f"Ketentuan-{time.time_ns()}".encode())
    r = server.client().post("/api/v1/documents", files={"file": ("sop-uji-latar.md", body)},
                             data={"background": "true"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["stage"] in ("queued", "parsing", "embedding", "switching", "done")
    stages = set()

    def finished():
        j = server.client().get(job["status_url"]).json()
        stages.add(j["stage"])
        return j if j["stage"] in ("done", "failed") else None

    final = wait_until(finished, 300, interval=0.05)
    assert final and final["stage"] == "done", final
    assert final["result"]["chunks"] >= 10 and final["total"] >= 10
    assert final["done"] == final["total"]
    assert stages & {"parsing", "embedding", "switching"}, stages
    names = [d["id"] for d in server.client().get("/api/v1/documents").json()]
    assert "sop-uji-latar" in names
    # Checks that need no parsing still answer at once; unknown jobs are 404.
    r = server.client().post("/api/v1/documents", files={"file": ("tanpa-ekstensi", b"x")},
                             data={"background": "true"})
    assert r.status_code == 422
    assert server.client().get("/api/v1/upload-jobs/" + "0" * 32).status_code == 404
    assert server.client().delete("/api/v1/documents/sop-uji-latar").status_code == 200
