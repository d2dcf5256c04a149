/* The map of sections coloured by class, on the schematic outline (outline.js). */
(function () {
  function draw() {
    var el = document.getElementById("wq-map");
    var data = document.getElementById("wq-points");
    if (!el || !data || !window.echarts) return;
    var points = JSON.parse(data.textContent);
    var english = document.documentElement.lang === "en";
    window.echarts.registerMap("xietong-cluster", window.XIETONG_WATER_OUTLINE);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "item",
        // The tooltip is HTML: section and river names (set in the admin) must stay text.
        formatter: function (p) {
          var esc = window.echarts.format.encodeHTML;
          if (p.seriesType !== "scatter") return esc(p.name);
          var d = p.data;
          return esc(d.name) + " (" + esc(d.river) + ")<br>" + esc(d.grade) + (d.target ? " / " + esc(d.target) : "");
        }
      },
      geo: {
        map: "xietong-cluster", roam: true, aspectScale: 0.8,
        nameProperty: english ? "name_en" : "name",
        label: { show: true, color: "#6b7785", fontSize: 13 },
        itemStyle: { areaColor: "#f4f6f8", borderColor: "#8a97a6", borderWidth: 1.2 },
        emphasis: { disabled: true }
      },
      series: [
        {
          type: "lines", coordinateSystem: "geo", polyline: true, silent: true,
          lineStyle: { color: "#7fb3e0", width: 2.5, opacity: 0.9 },
          data: window.XIETONG_WATER_RIVERS.map(function (r) { return { name: r.name, coords: r.coords }; })
        },
        {
          type: "scatter", coordinateSystem: "geo", symbolSize: 14, labelLayout: { hideOverlap: true },
          label: { show: true, position: "right", formatter: function (p) { return p.data.name; }, fontSize: 11, color: "#1d2733" },
          data: points.map(function (p) {
            return Object.assign({}, p, { symbol: p.boundary ? "diamond" : "circle", itemStyle: { color: p.colour, borderColor: "#1d2733", borderWidth: 1 } });
          })
        }
      ]
    });
    chart.on("click", function (p) { if (p.data && p.data.url) window.location = p.data.url; });
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
