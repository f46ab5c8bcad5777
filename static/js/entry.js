/* evalsheets entry form: live figures, rows added and removed, character counts.
 * Plain JavaScript, no library, no network. The server recomputes every figure on
 * save (evalsheets/calculations.py); what this file shows is a preview. */
(function () {
  "use strict";

  var UNITS = ["千円", "円", "人工", "人", "件", "回", "団体", "種類", "%", "km2", "km²", "世帯"];
  var NA = { na: true };
  var NUMBER = /^([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$/;

  /* As evalsheets/normalize.py: full-width digits, commas, a trailing unit, △ minus.
   * Returns {int: whole part, frac: string} scaled later, null for blank, NA, or undefined (invalid). */
  function parse(text) {
    var value = String(text || "").normalize("NFKC").trim().replace(/、/g, ",").replace(/ /g, "");
    if (value === "") return null;
    if (["***", "－", "-", "ー"].indexOf(value) >= 0) return NA;
    if (value[0] === "△" || value[0] === "▲") value = "-" + value.slice(1);
    for (var i = 0; i < UNITS.length; i++) {
      var u = UNITS[i];
      if (value.length > u.length && value.slice(-u.length) === u) { value = value.slice(0, -u.length); break; }
    }
    var m = NUMBER.exec(value);
    if (!m) return undefined;
    return { sign: m[1] === "-" ? -1 : 1, whole: m[2].replace(/,/g, ""), frac: (m[3] || "").slice(1) };
  }

  /* A parsed number as an integer count of 10^-places units (exact, no floats), or null/undefined. */
  function scaled(text, places) {
    var p = parse(text);
    if (p === null || p === NA) return p === NA ? NA : null;
    if (p === undefined || p.frac.length > places) return undefined;
    var frac = (p.frac + "000000").slice(0, places);
    return p.sign * (parseInt(p.whole, 10) * Math.pow(10, places) + (places ? parseInt(frac || "0", 10) : 0));
  }

  function fmt(n) { return n === null || n === undefined ? "" : n.toLocaleString("ja-JP"); }

  /* Round half up (away from zero, as calculations.round_half_up) of a / b for integers. */
  function divHalfUp(a, b) {
    var sign = (a < 0) !== (b < 0) ? -1 : 1;
    a = Math.abs(a); b = Math.abs(b);
    return sign * Math.floor((2 * a + b) / (2 * b));
  }

  function byName(form, name) { return form.querySelector('[name="' + name + '"]'); }

  function out(root, kind, key, value, bad) {
    var el = root.querySelector('output[data-out="' + kind + '"][data-col="' + key + '"]');
    if (!el) return;
    el.textContent = bad ? "—" : fmt(value);
    el.classList.toggle("js-invalid", !!bad);
    el.classList.toggle("negative", !bad && value < 0);
  }

  function markInput(input, ok) {
    input.classList.toggle("js-invalid", !ok);
  }

  function recomputeCosts(form) {
    var grid = form.querySelector(".cost-grid");
    if (!grid) return;
    // 伊勢原: 事業費合計(a) and ①②③ are typed, 一般財源 is what remains (SheetLayout.net_cost_entry).
    var netEntry = grid.hasAttribute("data-net-cost-entry");
    grid.querySelectorAll("thead th[data-col]").forEach(function (th) {
      var key = th.getAttribute("data-col");
      var inputs = form.querySelectorAll('input[name^="cost-' + key + '-"]');
      var bad = false, values = {};
      inputs.forEach(function (input) {
        var v = scaled(input.value, 0);
        var ok = v !== undefined && v !== NA && (v === null || v >= 0);
        markInput(input, ok);
        if (!ok) bad = true;
        values[input.name.slice(("cost-" + key + "-").length)] = v || 0;
      });
      var subtotal = 0;
      if (netEntry) {
        subtotal = values.total || 0;
        var general = subtotal - (values.subsidies || 0) - (values.municipal_bonds || 0) - (values.other || 0);
        out(grid, "general", key, general, bad);
      } else {
        Object.keys(values).forEach(function (k) { subtotal += values[k]; });
        out(grid, "subtotal", key, subtotal, bad);
      }
      var year = th.getAttribute("data-effort");
      var personnel = 0, personnelBad = false, count = null;
      if (year) {
        var staff = byName(form, "effort-" + year + "-staff_fte");
        var part = byName(form, "effort-" + year + "-part_time_fte");
        var s = scaled(staff && staff.value, 2), p = scaled(part && part.value, 2);
        [[staff, s], [part, p]].forEach(function (pair) {
          if (!pair[0]) return;
          var ok = pair[1] !== undefined && pair[1] !== NA && (pair[1] === null || (pair[1] >= 0 && pair[1] <= 9999));
          markInput(pair[0], ok);
          if (!ok) personnelBad = true;
        });
        var ss = parseInt(th.getAttribute("data-staff-salary") || "0", 10);
        var ps = parseInt(th.getAttribute("data-part-salary") || "0", 10);
        if (!personnelBad) personnel = divHalfUp((s || 0) * ss + (p || 0) * ps, 100);
        out(grid, "personnel", key, personnel, personnelBad);
        var countInput = byName(form, "effort-" + year + "-target_count");
        if (countInput) {
          count = scaled(countInput.value, 0);
          markInput(countInput, count !== undefined && count !== NA && (count === null || count >= 0));
        }
      }
      var total = subtotal + personnel;
      out(grid, "total", key, total, bad || personnelBad);
      if (count !== null && count !== undefined && count !== NA && count > 0) {
        out(grid, "unit", key, divHalfUp(total * 1000, count), bad || personnelBad);
      } else {
        out(grid, "unit", key, null, false);
      }
    });
  }

  function recomputeRates(form) {
    form.querySelectorAll('output[data-out="rate"]').forEach(function (el) {
      var prefix = el.getAttribute("data-row"), year = el.getAttribute("data-year");
      var t = byName(form, prefix + "-target_" + year), a = byName(form, prefix + "-actual_" + year);
      var tv = scaled(t && t.value, 2), av = scaled(a && a.value, 2);
      [[t, tv], [a, av]].forEach(function (pair) { if (pair[0]) markInput(pair[0], pair[1] !== undefined); });
      if (tv === null || av === null || tv === undefined || av === undefined || tv === NA || av === NA || tv === 0) {
        el.textContent = "";
        return;
      }
      var tenths = divHalfUp(av * 1000, tv);
      el.textContent = (tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1)) + "%";
    });
  }

  function counters(root) {
    root.querySelectorAll("[data-maxlength]").forEach(function (input) {
      if (input.dataset.counted) return;
      input.dataset.counted = "1";
      var max = parseInt(input.getAttribute("data-maxlength"), 10);
      if (input.tagName !== "TEXTAREA" && max < 300) return;
      var counter = document.createElement("span");
      counter.className = "counter";
      counter.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", counter);
      var update = function () {
        var n = input.value.replace(/\r\n/g, "\n").length;
        counter.textContent = n.toLocaleString("ja-JP") + " / " + max.toLocaleString("ja-JP") + "文字";
        counter.classList.toggle("over", n > max);
        input.classList.toggle("js-invalid", n > max);
      };
      input.addEventListener("input", update);
      update();
    });
  }

  function syncSubOptions(form) {
    var subs = form.querySelectorAll('[data-prefix="sub"] [data-rows] > tr');
    var selects = form.querySelectorAll('select[name^="act-"][name$="-sub"]');
    selects.forEach(function (select) {
      for (var i = select.options.length + 1; i <= subs.length; i++) {
        var option = document.createElement("option");
        option.value = String(i);
        option.textContent = "細事業" + i;
        select.appendChild(option);
      }
    });
  }

  function formsets(form) {
    form.querySelectorAll(".formset").forEach(function (box) {
      var prefix = box.getAttribute("data-prefix");
      var total = byName(box, prefix + "-TOTAL_FORMS");
      var template = box.querySelector("template[data-empty]");
      var button = box.querySelector(".add-row");
      if (!total || !template || !button) return;
      button.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        var max = parseInt(box.getAttribute("data-max") || "30", 10);
        if (index >= max) { button.disabled = true; return; }
        var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__num__/g, String(index + 1));
        var target = box.querySelector("[data-rows]") || box.querySelector("[data-rows-table]");
        target.insertAdjacentHTML("beforeend", html);
        total.value = String(index + 1);
        counters(box);
        if (prefix === "sub") syncSubOptions(form);
        var first = target.lastElementChild.querySelector("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea, select");
        if (first) first.focus();
        recompute();
      });
    });
    form.addEventListener("change", function (event) {
      var box = event.target;
      if (box.classList && box.classList.contains("row-delete")) {
        var row = box.closest(".row");
        if (row) row.classList.toggle("deleted", box.checked);
      }
    });
  }

  var entryForm = document.getElementById("entry-form");
  function recompute() {
    if (!entryForm) return;
    recomputeCosts(entryForm);
    recomputeRates(entryForm);
  }

  if (entryForm) {
    entryForm.addEventListener("input", recompute);
    formsets(entryForm);
    counters(entryForm);
    recompute();
    var errors = document.getElementById("form-errors");
    var firstError = entryForm.querySelector(".has-error input, .has-error textarea, .has-error select");
    if (errors && firstError) firstError.focus();
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var area = button.parentElement.querySelector("textarea");
      area.select();
      var done = function () { button.textContent = "コピーしました"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(area.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    });
  });
})();
