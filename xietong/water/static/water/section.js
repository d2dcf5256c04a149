/* A section's monthly class against its target, and the means of the main parameters. */
(function () {
  function draw() {
    var el = document.getElementById("wq-trend");
    var data = document.getElementById("wq-trend-data");
    if (!el || !data || !window.echarts) return;
    var trend = JSON.parse(data.textContent);
    var grades = ["I", "II", "III", "IV", "V", "劣V"];
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    var series = [
      { name: trend.labels["class"], type: "line", step: "middle", yAxisIndex: 0, data: trend.grades, lineStyle: { width: 3, color: "#e53935" } },
      { name: trend.labels.target, type: "line", step: "middle", yAxisIndex: 0, data: trend.targets, lineStyle: { type: "dashed", color: "#1d2733" }, symbol: "none" }
    ];
    Object.keys(trend.series).forEach(function (name) {
      series.push({ name: name, type: "line", yAxisIndex: 1, data: trend.series[name], connectNulls: true });
    });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 50, right: 50, top: 40, bottom: 30 },
      xAxis: { type: "category", data: trend.months },
      yAxis: [
        { type: "value", min: 1, max: 6, interval: 1, inverse: true, axisLabel: { formatter: function (v) { return grades[v - 1] || ""; } } },
        { type: "value", name: "mg/L", splitLine: { show: false } }
      ],
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
