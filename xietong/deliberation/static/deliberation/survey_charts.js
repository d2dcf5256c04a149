// Survey results: one horizontal bar chart per choice question, from the "survey-results" json_script
// element. The table beside each chart holds the same figures for readers without scripts.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("survey-results");
  if (!window.echarts || !source) return;
  for (const question of JSON.parse(source.textContent)) {
    const box = document.getElementById(`chart-q${question.id}`);
    if (!box) continue;
    box.style.height = `${Math.max(120, question.labels.length * 38 + 40)}px`;
    const chart = echarts.init(box);
    chart.setOption({
      grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
      tooltip: {},
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: [...question.labels].reverse(), axisLabel: { width: 140, overflow: "break" } },
      series: [{ type: "bar", data: [...question.counts].reverse(), label: { show: true, position: "right" } }],
    });
    window.addEventListener("resize", () => chart.resize());
  }
});
