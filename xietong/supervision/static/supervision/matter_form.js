// Narrow the sub-area list to the chosen domain; without this script the list shows every domain's group.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var domain = document.getElementById("id_domain");
    var subArea = document.getElementById("id_sub_area");
    var source = document.getElementById("sub-areas");
    if (!domain || !subArea || !source) return;
    var byDomain = JSON.parse(source.textContent);
    var blank = subArea.querySelector('option[value=""]');
    var blankLabel = blank ? blank.textContent : "—";

    function narrow() {
      var chosen = subArea.value;
      var options = byDomain[domain.value] || [];
      subArea.innerHTML = "";
      subArea.appendChild(new Option(blankLabel, ""));
      options.forEach(function (pair) {
        subArea.appendChild(new Option(pair[1], pair[0], false, pair[0] === chosen));
      });
      subArea.disabled = options.length === 0;
    }
    domain.addEventListener("change", narrow);
    narrow();
  });
})();
