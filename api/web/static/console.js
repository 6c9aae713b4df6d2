// Lantunan console: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // --- queue: poll the fragment and swap the table when the queue changed ----------------
  function pollQueue(box) {
    var url = box.getAttribute("data-poll-url");
    var every = Math.max(2, parseFloat(box.getAttribute("data-poll-seconds")) || 5) * 1000;
    var live = document.getElementById("queue-live");
    var lastSwap = Date.now();
    var stopped = false;

    function tick() {
      if (stopped) return;
      if (document.hidden) { setTimeout(tick, every); return; }
      fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 401) { stopped = true; window.location.href = "/masuk"; return null; }
          if (!r.ok) return null;
          var sig = r.headers.get("X-Queue-Signature") || "";
          return r.text().then(function (html) { return { sig: sig, html: html }; });
        })
        .then(function (res) {
          if (!res) return;
          var changed = res.sig !== box.getAttribute("data-signature");
          // Ages and windows tick every minute; refresh them then, but never under the
          // keyboard focus (swapping the table would throw the officer's focus away).
          var stale = Date.now() - lastSwap > 60000 && !box.contains(document.activeElement);
          if (changed || stale) {
            var before = (document.getElementById("queue-count") || {}).textContent;
            box.innerHTML = res.html;
            box.setAttribute("data-signature", res.sig);
            lastSwap = Date.now();
            var after = (document.getElementById("queue-count") || {}).textContent;
            if (changed && live && after !== before) {
              live.textContent = "Antrean diperbarui: " + after + " draf menunggu.";
            }
          }
        })
        .catch(function () { /* offline for a moment: try again next tick */ })
        .then(function () { setTimeout(tick, every); });
    }
    setTimeout(tick, every);
  }

  // --- conversation: keyboard shortcuts and a guard on approving an edited text ----------
  function conversationKeys() {
    var text = document.getElementById("teks");
    var edit = document.getElementById("form-edit");
    var approve = document.getElementById("btn-approve");
    var note = document.getElementById("catatan");
    if (!edit || !text) return;
    text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        if (edit.requestSubmit) edit.requestSubmit(); else edit.submit();
      }
    });
    document.addEventListener("keydown", function (e) {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      var k = (e.key || "").toLowerCase();
      if (k === "a" && approve && !approve.disabled) { e.preventDefault(); approve.click(); }
      if (k === "t" && note) { e.preventDefault(); note.focus(); }
    });
    if (approve) {
      approve.addEventListener("click", function (e) {
        var original = text.getAttribute("data-original") || "";
        if (text.value.trim() !== original.trim() &&
            !window.confirm("Teks sudah Anda ubah, tetapi \"Setujui & Kirim\" mengirim draf ASLI. " +
                            "Tetap kirim draf asli? (Pilih Batal lalu \"Kirim hasil edit\" untuk " +
                            "mengirim suntingan.)")) {
          e.preventDefault();
        }
      });
    }
  }

  // --- forms: "sedang diproses" while an upload runs; confirmation for deletions --------
  function formHelpers() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), function (f) {
      f.addEventListener("submit", function () {
        var busy = document.getElementById(f.getAttribute("data-busy"));
        if (busy) busy.hidden = false;
        // Disable after the submit has been dispatched, so the request still goes out.
        setTimeout(function () {
          Array.prototype.forEach.call(f.querySelectorAll("button"), function (b) {
            b.disabled = true;
          });
        }, 0);
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
  }

  // --- citations: opening a whole section scrolls its marked quote into view ------------
  function citationSections() {
    Array.prototype.forEach.call(document.querySelectorAll(".cite details"), function (d) {
      d.addEventListener("toggle", function () {
        var box = d.querySelector(".section-text");
        var mark = box && box.querySelector("mark");
        // .section-text is position: relative, so offsetTop is measured from the box.
        if (d.open && mark) box.scrollTop = Math.max(0, mark.offsetTop - 24);
      });
    });
  }

  // --- file pickers: the chosen file's name beside the Indonesian "Pilih berkas" button ----
  function filePickers() {
    Array.prototype.forEach.call(document.querySelectorAll(".file-pick input[type=file]"), function (input) {
      var name = document.getElementById(input.getAttribute("data-name-box"));
      if (!name) return;
      var empty = name.textContent;
      input.addEventListener("change", function () {
        name.textContent = input.files && input.files.length ? input.files[0].name : empty;
      });
    });
  }

  // --- upload job: poll its JSON, move the steps and the bar; open the document when done --
  function pollJob(box) {
    var url = box.getAttribute("data-status-url");
    var every = Math.max(1, parseFloat(box.getAttribute("data-poll-seconds")) || 1) * 1000;
    var message = document.getElementById("job-message");
    var error = document.getElementById("job-error");
    var next = document.getElementById("job-next");
    var bar = box.querySelector(".job-bar");
    var reason = document.getElementById("job-reason");

    function show(job) {
      Array.prototype.forEach.call(box.querySelectorAll(".job-steps li"), function (li, i) {
        if (job.steps && job.steps[i]) li.className = job.steps[i];
      });
      var progress = bar.querySelector("progress");
      if (!progress && job.stage !== "failed") {
        progress = document.createElement("progress");
        progress.id = "job-progress";
        progress.setAttribute("aria-label", "Kemajuan unggahan");
        bar.appendChild(progress);
      }
      if (progress && job.stage === "failed") { bar.removeChild(progress); }
      else if (job.stage === "embedding" && job.total) {
        progress.max = job.total; progress.value = job.done;
      } else if (job.stage === "switching" || job.stage === "done") {
        progress.max = 1; progress.value = 1;
      } else if (progress) { progress.removeAttribute("value"); }
      if (message.textContent !== job.message) message.textContent = job.message;
      box.setAttribute("data-stage", job.stage);
      if (job.stage === "failed") {
        reason.textContent = (job.error && job.error.detail) || job.message;
        error.hidden = false;
        message.hidden = true;
      }
      if (job.stage === "done" && job.next_url) {
        next.href = job.next_url;
        next.hidden = false;
      }
    }

    function tick() {
      fetch(url, { headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
                   credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 401) { window.location.href = "/masuk"; return null; }
          return r.ok ? r.json() : null;
        })
        .then(function (job) {
          if (!job) { setTimeout(tick, every); return; }
          show(job);
          if (job.stage === "done" && job.next_url && forward) {
            // A moment to read "Selesai", then the list with the new document highlighted.
            setTimeout(function () { window.location.href = job.next_url; }, 800);
          } else if (job.stage !== "failed") {
            setTimeout(tick, every);
          }
        })
        .catch(function () { setTimeout(tick, every); });
    }
    // Straight after the upload the page moves on to the document list when done; opened
    // later (from the list of recent uploads) it stays.
    var forward = box.getAttribute("data-forward") === "1";
    var stage = box.getAttribute("data-stage");
    if (stage === "done" && !forward) return;
    if (stage !== "failed") setTimeout(tick, stage === "done" ? 0 : every);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("queue");
    if (box && box.getAttribute("data-poll-url")) pollQueue(box);
    var job = document.getElementById("job");
    if (job && job.getAttribute("data-status-url")) pollJob(job);
    conversationKeys();
    formHelpers();
    citationSections();
    filePickers();
  });
})();
