// The bulletin's chart of completion and on-time rates by city (data from the page's json_script block).
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("bulletin-chart");
  if (!el || !window.echarts) return;
  var data = JSON.parse(document.getElementById("bulletin-chart-data").textContent);
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 48, containLabel: true },
    xAxis: { type: "category", data: data.cities, axisLabel: { interval: 0, rotate: data.cities.length > 4 ? 30 : 0 } },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: data.labels.completion, type: "bar", data: data.completion },
      { name: data.labels.on_time, type: "bar", data: data.on_time }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
