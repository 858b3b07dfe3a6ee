/* Render every Vega-Lite spec on the page. Specs sit in
   <script type="application/json" class="vl-spec" data-target="ID">; no inline JS needed. */
(function () {
  "use strict";
  function render() {
    if (typeof vegaEmbed === "undefined") { return; }
    var loader = vega.loader({ target: "_self" });
    document.querySelectorAll("script.vl-spec").forEach(function (node) {
      var target = document.getElementById(node.dataset.target);
      if (!target) { return; }
      var spec = JSON.parse(node.textContent);
      delete spec.$schema; /* Altair writes v5 specs; the vendored Vega-Lite 6 reads them as is */
      vegaEmbed(target, spec, {
        mode: "vega-lite", renderer: "svg", actions: false, loader: loader,
        formatLocale: { decimal: ",", thousands: ".", grouping: [3], currency: ["€ ", ""] },
        tooltip: { theme: "light" }
      }).then(function () {
        target.classList.add("chart-ready");
      }).catch(function (err) {
        target.textContent = "De grafiek kon niet worden getekend; zie de tabel.";
        if (window.console) { console.error(err); }
      });
    });
  }
  /* Select boxes marked data-autosubmit submit their form on change (the button stays for keyboard users). */
  /* data-reset="scheme,year" on a field: changing it drops those choices (they may not fit the new
     indicator), so the form never asks for an impossible combination; the server picks the defaults. */
  function autosubmit() {
    document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () {
        var form = el.form;
        if (!form) { return; }
        (el.dataset.reset || "").split(",").forEach(function (name) {
          var other = name && form.elements.namedItem(name);
          if (other && other.tagName === "SELECT") { other.disabled = true; }
        });
        form.submit();
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { render(); autosubmit(); });
  } else { render(); autosubmit(); }
})();
