// The filter forms: leave empty filters out of the request, so shared and bookmarked URLs stay short.
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.matches("form.filters")) return;
    var data = event.detail.formData;
    Array.from(data.keys()).forEach(function (name) {
      if (data.getAll(name).every(function (value) { return value === ""; })) data.delete(name);
    });
  });
})();
