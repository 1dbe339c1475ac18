// Autocomplete for the search box: titles that complete what is typed, from
// /api/v1/search/suggest, offered through the input's <datalist>. Without
// JavaScript the form works as it is.
(function () {
  "use strict";
  var input = document.getElementById("tu-khoa");
  var list = document.getElementById("goi-y");
  if (!input || !list || !window.fetch) return;
  var timer = null;
  var last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = input.value;
      if (q.trim().length < 2 || q === last) return;
      last = q;
      var scope = document.getElementById("pham-vi");
      var params = new URLSearchParams({ q: q });
      if (scope && scope.value === "trang-nay") params.set("site", input.dataset.site);
      fetch("/api/v1/search/suggest?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) {
          if (input.value !== q) return;
          list.replaceChildren.apply(list, body.suggestions.map(function (title) {
            var option = document.createElement("option");
            option.value = title;
            return option;
          }));
        })
        .catch(function () {});
    }, 150);
  });
})();
