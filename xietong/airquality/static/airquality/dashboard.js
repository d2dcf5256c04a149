/* Air-quality dashboard: four ECharts charts fed by the JSON API, with a visible loading state. */
(function () {
  "use strict";

  var form = document.getElementById("aq-filters");
  if (!form || typeof echarts === "undefined") return;
  var api = form.dataset.api;
  var statusEl = document.getElementById("aq-status");
  var labels = JSON.parse(document.getElementById("aq-labels").textContent);
  var charts = {};
  ["trend", "calendar", "breakdown", "stations"].forEach(function (name) {
    charts[name] = echarts.init(document.getElementById("chart-" + name), null, { renderer: "canvas" });
  });
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });

  var narrow = function () { return window.innerWidth < 640; };
  // Tooltip formatters return HTML: every text that comes from data (station, unit and
  // pollutant names, codes) goes through this, so a name set in the admin stays text.
  var esc = echarts.format.encodeHTML;

  function levelPieces(levels, short) {
    var lower = 0;
    return levels.map(function (l) {
      var label = short ? l.category : l.category + " " + lower + "–" + l.upper;
      var piece = { min: lower, max: l.upper, color: l.colour, label: label };
      lower = l.upper + 1;
      return piece;
    });
  }

  function colourOf(levels, level) {
    for (var i = 0; i < levels.length; i++) if (levels[i].level === level) return levels[i].colour;
    return "#b0b7c0";
  }

  function get(path, params) {
    var url = api + path + "?" + new URLSearchParams(params).toString();
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (r.ok) return r.json();
      return r.json().catch(function () { return {}; }).then(function (body) {
        throw new Error(body.detail || r.status + " " + r.statusText);
      });
    });
  }

  function trend(data) {
    var bands = data.levels.map(function (l, i) {
      var lower = i === 0 ? 0 : data.levels[i - 1].upper;
      return [{ yAxis: lower, itemStyle: { color: l.colour, opacity: 0.12 } }, { yAxis: l.upper }];
    });
    var series = [];
    data.series.forEach(function (s, i) {
      var cluster = s.cluster;
      series.push({
        name: s.name, type: "line", data: s.aqi, connectNulls: false, showSymbol: false,
        lineStyle: cluster ? { width: 3, type: "dashed" } : { width: 1.5 },
        markArea: i === 0 ? { silent: true, data: bands } : undefined,
      });
      // Days whose AQI is not published (HJ 633-2026 5.3.1) are grey marks on the axis under the
      // same legend entry, so "NA" is not mistaken for a day without data (a gap in the line).
      series.push({
        name: s.name, type: "scatter", symbol: "diamond", symbolSize: 9, z: 3,
        itemStyle: { color: "#c9ced4", borderColor: "#6b7480", borderWidth: 1 },
        tooltip: { show: false },
        data: s.na.map(function (na, d) { return na ? [d, 0] : null; }).filter(Boolean),
      });
    });
    charts.trend.setOption({
      tooltip: {
        trigger: "axis",
        formatter: function (params) {
          var d = params.length ? params[0].dataIndex : 0;
          var lines = [esc(data.days[d])];
          data.series.forEach(function (s) {
            var value = s.aqi[d] !== null ? s.aqi[d] : (s.na[d] ? labels.na : labels.noData);
            lines.push(esc(s.name) + " " + esc(labels.aqi) + " " + esc(value));
          });
          return lines.join("<br>");
        },
      },
      legend: { type: "scroll", top: 0 },
      grid: { left: 40, right: 16, top: 36, bottom: 60 },
      xAxis: { type: "category", data: data.days },
      yAxis: { type: "value", name: labels.aqi, min: 0 },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
      series: series,
    }, true);
    return data.series.some(function (s) {
      return s.aqi.some(function (v) { return v !== null; }) || s.na.some(Boolean);
    });
  }

  function calendar(data) {
    var vertical = narrow();
    charts.calendar.setOption({
      title: { text: data.name + " " + data.year, left: "center", textStyle: { fontSize: 14 } },
      tooltip: {
        formatter: function (p) {
          var row = p.data;
          return esc(row[0]) + "<br>" + esc(labels.aqi) + " " + (row[4] ? labels.na : esc(row[1])) +
            (row[3] ? "<br>" + esc(labels.primary) + " " + esc(row[3]) : "");
        },
      },
      visualMap: {
        seriesIndex: 0,
        type: "piecewise", dimension: 1, pieces: levelPieces(data.levels, vertical), itemGap: vertical ? 4 : 10, orient: "horizontal", left: "center", bottom: 0,
        itemWidth: 12, itemHeight: 12, textStyle: { fontSize: 11 },
      },
      calendar: {
        range: String(data.year), orient: vertical ? "vertical" : "horizontal",
        top: vertical ? 60 : 60, left: vertical ? 40 : 40, right: vertical ? 20 : 20, bottom: vertical ? 80 : 60,
        cellSize: "auto", yearLabel: { show: false }, dayLabel: { firstDay: 1, nameMap: "ZH" }, monthLabel: { nameMap: "ZH" },
      },
      series: [
        { type: "heatmap", coordinateSystem: "calendar", data: data.days.filter(function (d) { return d[1] !== null; }) },
        // Days with values but no published AQI (HJ 633-2026 5.3.1) are grey "NA" cells, not blanks.
        {
          type: "heatmap", coordinateSystem: "calendar", itemStyle: { color: "#c9ced4" },
          data: data.days.filter(function (d) { return d[1] === null; }).map(function (d) { return [d[0], 0, null, d[3], true]; }),
        },
      ],
    }, true);
    return data.days.length > 0;
  }

  function breakdown(data) {
    var names = data.cities.map(function (c) { return c.name; });
    charts.breakdown.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 70, right: 16, top: 36, bottom: 30 },
      xAxis: { type: "value", name: labels.days },
      yAxis: { type: "category", data: names },
      series: data.pollutants.map(function (p) {
        return {
          name: p.label, type: "bar", stack: "primary",
          data: data.cities.map(function (c) { return c.primary[p.key] || 0; }),
        };
      }),
    }, true);
    return data.cities.some(function (c) { return Object.keys(c.primary).length > 0; });
  }

  function stations(data) {
    var byCity = {};
    data.stations.forEach(function (s) { (byCity[s.city] = byCity[s.city] || []).push(s); });
    var shapes = ["circle", "rect", "triangle", "diamond", "pin", "roundRect"];
    charts.stations.setOption({
      tooltip: {
        formatter: function (p) {
          var s = p.data.station;
          // A station day without a published AQI is "NA" (HJ 633-2026 5.3.1); no day at all is no data.
          var value = s.aqi !== null ? s.aqi : (s.day ? labels.na : labels.noData);
          return esc(s.name) + " (" + esc(s.code) + ")<br>" + esc(s.city) + "<br>" + esc(labels.aqi) + " " +
            esc(value) + (s.day ? " · " + esc(s.day) : "");
        },
      },
      legend: { top: 0 },
      grid: { left: 56, right: narrow() ? 20 : 90, top: 36, bottom: 40 },
      xAxis: { type: "value", scale: true, name: labels.longitude, nameLocation: "middle", nameGap: 26 },
      yAxis: { type: "value", scale: true, name: labels.latitude },
      series: Object.keys(byCity).map(function (city, i) {
        return {
          name: city, type: "scatter", symbol: shapes[i % shapes.length], symbolSize: 16,
          label: { show: !narrow(), position: "right", formatter: function (p) { return p.data.station.name; }, fontSize: 11 },
          itemStyle: { color: "#8a939e", borderColor: "#1d2733", borderWidth: 1 },
          data: byCity[city].map(function (s) {
            return { value: [s.lon, s.lat], station: s, itemStyle: { color: colourOf(data.levels, s.level) } };
          }),
        };
      }),
    }, true);
    charts.stations.off("click");
    charts.stations.on("click", function (p) { if (p.data && p.data.station) window.location.href = p.data.station.url; });
    return data.stations.length > 0;
  }

  function load() {
    var params = new FormData(form);
    var period = { start: params.get("start"), end: params.get("end") };
    var area = { unit: params.get("area"), year: params.get("year") };
    history.replaceState(null, "", "?" + new URLSearchParams(Object.assign({}, period, { area: area.unit, year: area.year })));
    statusEl.textContent = statusEl.dataset.loading;
    document.body.setAttribute("aria-busy", "true");
    Object.keys(charts).forEach(function (k) { charts[k].showLoading({ text: statusEl.dataset.loading }); });
    var jobs = [
      get("daily", period).then(trend),
      get("calendar", area).then(calendar),
      get("breakdown", period).then(breakdown),
      get("stations", {}).then(stations),
    ];
    Promise.all(jobs).then(function (filled) {
      statusEl.textContent = filled[0] ? statusEl.dataset.done : statusEl.dataset.empty;
      statusEl.dataset.state = "done";
    }).catch(function (error) {
      statusEl.textContent = statusEl.dataset.failed + error.message;
      statusEl.dataset.state = "failed";
    }).then(function () {
      Object.keys(charts).forEach(function (k) { charts[k].hideLoading(); });
      document.body.removeAttribute("aria-busy");
    });
  }

  var query = new URLSearchParams(window.location.search);
  ["start", "end", "area", "year"].forEach(function (name) {
    if (query.get(name)) form.elements[name].value = query.get(name);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  load();
})();
