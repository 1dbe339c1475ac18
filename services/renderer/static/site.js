/* Citizens' pages: small enhancements on top of pages that work without JavaScript.
   Loaded with `defer` from /static (the CSP allows no inline script). Buttons that
   need JavaScript are rendered `hidden` and shown here only when they can work. */
(function () {
  "use strict";

  var KEY = "portal.saved-articles";
  var MAX_SAVED = 200;
  var doc = document;
  var en = doc.documentElement.lang === "en";
  var say = {
    copied: en ? "Link copied." : "Đã sao chép liên kết.",
    copyFailed: en ? "Could not copy; select the link above and copy it." :
      "Không sao chép được; hãy chọn liên kết ở trên rồi sao chép.",
    saved: en ? "Saved. See your saved articles under “Saved articles”." :
      "Đã lưu bài. Xem lại ở mục «Bài đã lưu».",
    removed: en ? "Removed from saved articles." : "Đã bỏ lưu bài.",
    storageOff: en ? "This browser does not allow saving." : "Trình duyệt không cho phép lưu.",
    remove: "Bỏ lưu"
  };

  function status(text) {
    var node = doc.querySelector("[data-status]");
    if (node) { node.textContent = text; }
  }

  function isLocalPath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" &&
      url.indexOf("\\") === -1;
  }

  function readSaved() {
    try {
      var items = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      if (!Array.isArray(items)) { return []; }
      return items.filter(function (item) {
        return item && typeof item.id === "string" && typeof item.title === "string" &&
          isLocalPath(item.url);
      });
    } catch (e) {
      return [];
    }
  }

  function writeSaved(items) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(items.slice(0, MAX_SAVED)));
      return true;
    } catch (e) {
      status(say.storageOff);
      return false;
    }
  }

  function show(node) { if (node) { node.hidden = false; } }

  // --- article page: share, copy, save, print ------------------------------------------
  var article = doc.querySelector("[data-article]");
  var permalink = doc.getElementById("lien-ket");
  var link = permalink ? permalink.value : window.location.href;
  var title = article ? article.getAttribute("data-title") : doc.title;

  var share = doc.querySelector("[data-share]");
  if (share && navigator.share) {
    show(share);
    share.addEventListener("click", function () {
      navigator.share({ title: title, url: link }).catch(function () { /* dismissed */ });
    });
  }

  var copy = doc.querySelector("[data-copy]");
  if (copy && navigator.clipboard && window.isSecureContext) {
    show(copy);
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(link).then(
        function () { status(say.copied); },
        function () { status(say.copyFailed); }
      );
    });
  }

  var print = doc.querySelector("[data-print]");
  if (print && window.print) {
    show(print);
    print.addEventListener("click", function () { window.print(); });
  }
  window.addEventListener("beforeprint", function () {
    doc.querySelectorAll("main details").forEach(function (d) { d.open = true; });
  });

  var save = doc.querySelector("[data-save]");
  if (save && article && window.localStorage) {
    var id = article.getAttribute("data-id");
    var label = save.textContent;
    var savedLabel = save.getAttribute("data-label-saved");
    var refresh = function () {
      var saved = readSaved().some(function (item) { return item.id === id; });
      save.textContent = saved ? savedLabel : label;
      save.setAttribute("aria-pressed", saved ? "true" : "false");
    };
    show(save);
    refresh();
    save.addEventListener("click", function () {
      var items = readSaved();
      var had = items.some(function (item) { return item.id === id; });
      items = items.filter(function (item) { return item.id !== id; });
      if (!had) {
        items.unshift({
          id: id,
          title: title,
          url: article.getAttribute("data-url"),
          date: article.getAttribute("data-date") || ""
        });
      }
      if (writeSaved(items)) {
        status(had ? say.removed : say.saved);
        refresh();
      }
    });
  }

  // --- /da-luu: the saved list -------------------------------------------------------
  var list = doc.querySelector("[data-saved-list]");
  var empty = doc.querySelector("[data-saved-empty]");
  function renderSaved() {
    var items = readSaved();
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (item) {
      var li = doc.createElement("li");
      var heading = doc.createElement("h2");
      heading.className = "item-title";
      var a = doc.createElement("a");
      a.href = item.url;
      a.textContent = item.title;
      heading.appendChild(a);
      li.appendChild(heading);
      if (item.date) {
        var meta = doc.createElement("p");
        meta.className = "meta";
        meta.textContent = item.date;
        li.appendChild(meta);
      }
      var remove = doc.createElement("button");
      remove.type = "button";
      remove.className = "button";
      remove.textContent = say.remove;
      remove.setAttribute("aria-label", say.remove + ": " + item.title);
      remove.addEventListener("click", function () {
        if (writeSaved(readSaved().filter(function (x) { return x.id !== item.id; }))) {
          status(say.removed);
          renderSaved();
        }
      });
      li.appendChild(remove);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    if (empty) { empty.hidden = items.length !== 0; }
  }
  if (list) { renderSaved(); }
})();
