// The admin UI's only script (CSP: script-src 'self'): the rich text editor,
// showing the fields of the chosen kind, and the live publish receipt.
(function () {
  "use strict";

  // Rich text: replace the plain textarea by Trix, keeping the same field name.
  function richText() {
    document.querySelectorAll("textarea.rich").forEach(function (area) {
      if (!window.customElements || !customElements.get("trix-editor")) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = area.name;
      input.id = area.id + "-value";
      input.value = area.value;
      var editor = document.createElement("trix-editor");
      editor.setAttribute("input", input.id);
      editor.setAttribute("aria-labelledby", "body-label");
      editor.id = area.id;
      area.replaceWith(input);
      input.after(editor);
      var label = document.getElementById("body-label");
      if (label) label.removeAttribute("for");
    });
  }

  // Show the fields of the chosen content kind only.
  function kindFields() {
    var kind = document.getElementById("kind");
    if (!kind) return;
    function update() {
      document.querySelectorAll(".for-kind").forEach(function (box) {
        box.hidden = box.getAttribute("data-kind") !== kind.value;
      });
    }
    kind.addEventListener("change", update);
    update();
  }

  // The publish receipt refreshes itself until it ends: every step done, or the
  // approval lapsed (the article changed since), which it then says.
  function liveReceipt() {
    var table = document.getElementById("receipt");
    if (!table || table.getAttribute("data-ended") === "true") return;
    var source = table.getAttribute("data-source");
    var summary = document.getElementById("receipt-summary");
    function refresh() {
      fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          var body = table.querySelector("tbody");
          body.textContent = "";
          data.steps.forEach(function (s) {
            var row = document.createElement("tr");
            row.setAttribute("data-step", s.step);
            row.className = "step-" + s.status;
            var th = document.createElement("th");
            th.scope = "row";
            th.textContent = s.label;
            row.appendChild(th);
            [s.status_label, s.at_text, s.after_ms === null ? "" : s.after_ms + " ms"].forEach(
              function (text, i) {
                var td = document.createElement("td");
                td.className = ["status", "at", "after"][i];
                td.textContent = text || "";
                row.appendChild(td);
              });
            body.appendChild(row);
          });
          summary.textContent = data.message || (data.complete ? "Đã hoàn tất mọi bước." :
            (data.late ? "Có bước bị trễ." : "Đang chờ các bước còn lại…"));
          if (data.message) summary.className = "flash error";
          if (!(data.complete || data.ended)) setTimeout(refresh, 1000);
        })
        .catch(function () { setTimeout(refresh, 3000); });
    }
    setTimeout(refresh, 500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    richText();
    kindFields();
    liveReceipt();
  });
})();
