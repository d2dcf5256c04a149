// Charts of the statistics page: arrivals and people at risk per day, arrivals by province of origin.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.echarts) return;
  const read = (id) => JSON.parse(document.getElementById(id).textContent);
  const labels = read("stat-labels");
  const days = read("stat-days").map((d) => d.slice(5));
  const line = (name, id) => ({ name, type: "line", data: read(id) });
  echarts.init(document.getElementById("chart-days")).setOption({
    tooltip: { trigger: "axis" },
    legend: {},
    xAxis: { type: "category", data: days },
    yAxis: { type: "value", minInterval: 1 },
    series: [line(labels.arrivals, "stat-arrivals"), line(labels.at_risk, "stat-at-risk"), line(labels.done, "stat-done"), line(labels.missed, "stat-missed")],
  });
  const origins = read("stat-origins").slice(0, 10);
  echarts.init(document.getElementById("chart-origins")).setOption({
    tooltip: {},
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: origins.map((o) => o.name).reverse() },
    series: [{ type: "bar", data: origins.map((o) => o.n).reverse(), name: labels.arrivals }],
  });
});
