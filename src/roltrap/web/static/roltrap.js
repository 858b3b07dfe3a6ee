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
  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
      sel.addEventListener("change", function () { if (sel.form) { sel.form.submit(); } });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { render(); autosubmit(); });
  } else { render(); autosubmit(); }
})();
