/* The place picker (xietong.regions.forms.PlacePicker).
 *
 * Without this script the text input is all there is, and the server reads what was typed. With
 * it, the input becomes an ARIA combobox with a list of matching places (arrow keys, Enter,
 * Escape), and cascading selects province → city → county → town appear below it. Picking a
 * place fills in its full name and sends its code in the hidden "<name>_code" input; typing
 * clears the code, so what was typed decides again.
 */
(function () {
  "use strict";

  var childrenCache = new Map();

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status + " " + url);
      return r.json();
    });
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function init(root) {
    if (root.dataset.placepickerReady) return;
    root.dataset.placepickerReady = "1";

    var text = root.querySelector("[data-role=text]");
    var code = root.querySelector("[data-role=code]");
    var list = root.querySelector("[data-role=listbox]");
    var cascade = root.querySelector("[data-role=cascade]");
    var picked = root.querySelector("[data-role=picked]");
    var levels = Array.prototype.slice.call(cascade.querySelectorAll(".placepicker-level"));
    var levelLabels = JSON.parse(root.dataset.levelLabels);
    var items = [];
    var active = -1;
    var timer = null;
    var searchSeq = 0;
    var cascadeSeq = 0;

    text.setAttribute("role", "combobox");
    text.setAttribute("aria-autocomplete", "list");
    text.setAttribute("aria-expanded", "false");
    text.setAttribute("aria-controls", list.id);

    // --- type-ahead ------------------------------------------------------------------------------

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      items = [];
      active = -1;
      text.setAttribute("aria-expanded", "false");
      text.removeAttribute("aria-activedescendant");
    }

    function render(results) {
      list.innerHTML = "";
      items = results;
      active = -1;
      text.removeAttribute("aria-activedescendant");
      if (!results.length) {
        var empty = document.createElement("li");
        empty.setAttribute("role", "option");
        empty.setAttribute("aria-disabled", "true");
        empty.setAttribute("aria-selected", "false");
        empty.textContent = root.dataset.noMatch;
        list.appendChild(empty);
      }
      results.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.code = item.code;
        var name = document.createElement("span");
        name.className = "pp-name";
        name.textContent = item.name;
        var full = document.createElement("span");
        full.className = "pp-full";
        full.textContent = item.full_name + " · " + item.level_label;
        var num = document.createElement("span");
        num.className = "pp-code";
        num.textContent = item.code;
        li.append(name, full, num);
        // mousedown, not click: the input must not lose focus (and close the list) first.
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(item);
        });
        list.appendChild(li);
      });
      list.hidden = false;
      text.setAttribute("aria-expanded", "true");
    }

    function suggest() {
      var query = text.value.trim();
      if (!query) return close();
      var seq = ++searchSeq;
      getJSON(root.dataset.searchUrl + "?q=" + encodeURIComponent(query)).then(function (data) {
        if (seq === searchSeq && document.activeElement === text) render(data.results);
      }).catch(close);
    }

    function move(to) {
      if (!items.length) return;
      active = (to + items.length) % items.length;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      var current = list.children[active];
      text.setAttribute("aria-activedescendant", current.id);
      current.scrollIntoView({ block: "nearest" });
    }

    function showPicked(item) {
      picked.textContent = item ? format(root.dataset.pickedFormat, item) : "";
    }

    function pick(item) {
      text.value = item.full_name;
      code.value = item.code;
      close();
      showPicked(item);
      syncCascade(item.lineage);
      root.dispatchEvent(new CustomEvent("placepicker:pick", { detail: item, bubbles: true }));
    }

    text.addEventListener("input", function () {
      code.value = "";
      showPicked(null);
      clearTimeout(timer);
      timer = setTimeout(suggest, 150);
    });

    text.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) {
          clearTimeout(timer);
          suggest();
          return;
        }
        move(event.key === "ArrowDown" ? active + 1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault(); // choose the place, don't submit the form yet
        pick(items[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      } else if (event.key === "Tab") {
        close();
      }
    });

    text.addEventListener("blur", function () {
      setTimeout(close, 100);
    });

    // --- cascading selects -----------------------------------------------------------------------

    function children(parent) {
      var key = parent || "";
      if (!childrenCache.has(key)) {
        var url = root.dataset.childrenUrl + (parent ? "?parent=" + encodeURIComponent(parent) : "");
        childrenCache.set(key, getJSON(url).then(function (data) { return data.results; }));
      }
      return childrenCache.get(key);
    }

    function hideFrom(depth) {
      levels.forEach(function (level, i) {
        if (i >= depth) {
          level.hidden = true;
          level.querySelector("select").innerHTML = "";
        }
      });
    }

    // Fills the select at `depth` with the children of `parent` and selects `selected`.
    function fill(depth, parent, selected, seq) {
      if (depth >= levels.length) return Promise.resolve();
      return children(parent).then(function (results) {
        if (seq !== cascadeSeq) return;
        var level = levels[depth];
        var select = level.querySelector("select");
        hideFrom(depth);
        if (!results.length) return;
        var none = document.createElement("option");
        none.value = "";
        none.textContent = root.dataset.choose;
        select.appendChild(none);
        results.forEach(function (item) {
          var option = document.createElement("option");
          option.value = item.code;
          option.textContent = item.name;
          option.item = item;
          select.appendChild(option);
        });
        select.value = selected || "";
        // 北京市 → 东城区: under a municipality the second list holds districts, so say so.
        level.querySelector("[data-role=level-label]").textContent = levelLabels[results[0].level];
        level.hidden = false;
      });
    }

    function syncCascade(lineage) {
      var seq = ++cascadeSeq;
      var chain = Promise.resolve();
      lineage.forEach(function (selected, depth) {
        chain = chain.then(function () { return fill(depth, depth ? lineage[depth - 1] : null, selected, seq); });
      });
      return chain.then(function () {
        var last = lineage[lineage.length - 1];
        if (lineage.length < levels.length) return fill(lineage.length, last || null, "", seq);
      });
    }

    levels.forEach(function (level, depth) {
      var select = level.querySelector("select");
      select.addEventListener("change", function () {
        var option = select.selectedOptions[0];
        var item = option && option.item;
        var seq = ++cascadeSeq;
        if (item) {
          text.value = item.full_name;
          code.value = item.code;
          showPicked(item);
          if (item.has_children) fill(depth + 1, item.code, "", seq);
          else hideFrom(depth + 1);
        } else {
          hideFrom(depth + 1);
          var above = depth ? levels[depth - 1].querySelector("select").selectedOptions[0] : null;
          var parentItem = above && above.item;
          text.value = parentItem ? parentItem.full_name : "";
          code.value = parentItem ? parentItem.code : "";
          showPicked(parentItem || null);
        }
      });
    });

    cascade.hidden = false;
    syncCascade(JSON.parse(root.dataset.lineage || "[]"));
  }

  function initAll(scope) {
    scope = scope || document;
    if (scope.matches && scope.matches("[data-placepicker]")) init(scope);
    if (scope.querySelectorAll) Array.prototype.forEach.call(scope.querySelectorAll("[data-placepicker]"), init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { initAll(); });
  else initAll();
  // Forms swapped in by htmx get their pickers too.
  document.addEventListener("htmx:load", function (event) { initAll(event.detail.elt); });
})();
