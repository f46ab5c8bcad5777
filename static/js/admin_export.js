// django-import-export's export form (templates/admin/import_export/export.html): the
// "select all" box, bound here instead of an onchange attribute, which the Content
// Security Policy blocks. onSelectToggleChange is django-import-export's own
// (import_export/export_selectable_fields.js, loaded before this file).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.select-toggle").forEach(function (box) {
      box.addEventListener("change", function (event) {
        if (typeof window.onSelectToggleChange === "function") window.onSelectToggleChange(event);
      });
    });
  });
})();
