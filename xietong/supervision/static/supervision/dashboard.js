// The completion trend on the dashboard: an ECharts line per city, redrawn when htmx swaps the results.
(function () {
  "use strict";

  function draw() {
    var el = document.getElementById("trend-chart");
    var source = document.getElementById("trend-data");
    if (!el || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var previous = window.echarts.getInstanceByDom(el);
    if (previous) previous.dispose();
    if (!data.dates.length) return;
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: {
        trigger: "axis",
        valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; },
      },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      xAxis: { type: "category", data: data.dates, boundaryGap: false },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: data.series.map(function (s, i) {
        var together = i === data.series.length - 1 && data.series.length > 1;
        return {
          name: s.name,
          type: "line",
          data: s.data,
          connectNulls: true,
          showSymbol: data.dates.length < 40,
          lineStyle: together ? { width: 3, type: "dashed" } : { width: 2 },
        };
      }),
    });
  }

  window.addEventListener("resize", function () {
    var el = document.getElementById("trend-chart");
    var chart = el && window.echarts && window.echarts.getInstanceByDom(el);
    if (chart) chart.resize();
  });
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
