/* Deal registration form: add offering rows (Django formset) and show the running total.
 * Loaded from templates/deals/deal_form.html; no inline scripts (strict CSP). */
(function () {
  "use strict";

  function total(form) {
    var sum = 0;
    form.querySelectorAll("[data-line-item]").forEach(function (row) {
      var remove = row.querySelector("input[type=checkbox]");
      if (remove && remove.checked) return;
      var qty = parseFloat((row.querySelector("[data-qty]") || {}).value || "0");
      var unit = parseFloat((row.querySelector("[data-unit]") || {}).value || "0");
      if (qty > 0 && unit > 0) sum += qty * unit;
    });
    var out = form.querySelector("[data-deal-total]");
    if (out) out.textContent = sum.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-deal-form]");
    if (!form) return;
    var rows = form.querySelector("[data-line-items]");
    var template = form.querySelector("template[data-line-template]");
    var totalForms = form.querySelector("input[name=lines-TOTAL_FORMS]");
    var maxForms = form.querySelector("input[name=lines-MAX_NUM_FORMS]");
    var add = form.querySelector("[data-add-line]");
    if (add && rows && template && totalForms) {
      add.addEventListener("click", function () {
        var index = parseInt(totalForms.value, 10);
        if (maxForms && index >= parseInt(maxForms.value, 10)) return;
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        rows.insertAdjacentHTML("beforeend", html);
        totalForms.value = String(index + 1);
        var select = rows.lastElementChild && rows.lastElementChild.querySelector("select");
        if (select) select.focus();
      });
    }
    form.addEventListener("input", function () { total(form); });
    form.addEventListener("change", function () { total(form); });
    total(form);
  });
})();
