// kith's charts: each <div class="chart" data-chart="NAME"> is drawn from
// the page's JSON (#kith-data) by the function of that name. Pages work
// without this file; it only draws.
(function () {
  "use strict";
  var dataEl = document.getElementById("kith-data");
  if (!dataEl || !window.echarts) { return; }
  var data = JSON.parse(dataEl.textContent);
  // Browser tests (navigator.webdriver) get no animation: a chart is then
  // finished as soon as it is drawn.
  var animate = !navigator.webdriver;
  var base = { animation: animate, tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" },
    // right: room for the last category or value label, which containLabel
    // lets overhang the edge ("2026-10", "100%").
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true } };
  function merge(a, b) { var o = {}, k; for (k in a) { o[k] = a[k]; } for (k in b) { o[k] = b[k]; } return o; }
  function money(v) { return v == null ? "—" : data.currency + Number(v).toLocaleString(); }

  var draw = {
    trend: function (d) {
      return merge(base, { xAxis: { type: "category", data: d.labels },
        yAxis: [{ type: "value" }, { type: "value", axisLabel: { formatter: function (v) { return money(v); } } }],
        series: d.series });
    },
    funnel: function (d) {
      return merge(base, { xAxis: { type: "category", data: d.labels }, yAxis: { type: "value" }, series: d.series });
    },
    split: function (d) {
      return { animation: animate, tooltip: { trigger: "item", valueFormatter: money }, legend: { top: 0 },
        series: [{ type: "pie", radius: ["40%", "70%"], top: 24, data: d.data, label: { formatter: "{d}%" } }] }; // the legend names the slices; names beside them were cut short on a phone
    },
    costs: function (d) {
      return merge(base, { tooltip: { trigger: "axis", valueFormatter: money }, xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value" }, series: d.series.map(function (s) { return merge(s, { connectNulls: true }); }) });
    },
    cohorts: function (d) {
      return { animation: animate, tooltip: { position: "top", formatter: function (p) { return d.y[p.value[1]] + " " + d.x[p.value[0]] + ": " + p.value[2] + "%"; } },
        // The colour scale sits under the axis labels, not on them.
        grid: { left: 8, right: 8, top: 8, bottom: 72, containLabel: true },
        xAxis: { type: "category", data: d.x, splitArea: { show: true } },
        yAxis: { type: "category", data: d.y, inverse: true, splitArea: { show: true } },
        visualMap: { min: 0, max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#f7fbff", "#08306b"] } },
        series: [{ type: "heatmap", data: d.cells, label: { show: d.x.length <= 13, fontSize: 10 } }] };
    },
    segments: function (d) {
      // Room on the right for the longest bar's count, which containLabel
      // does not count.
      return merge(base, { tooltip: { trigger: "axis" }, grid: merge(base.grid, { right: 48 }), xAxis: { type: "value" },
        yAxis: { type: "category", data: d.map(function (s) { return s.name; }), inverse: true },
        series: [{ type: "bar", data: d.map(function (s) { return { value: s.value, segment: s.segment }; }),
          label: { show: true, position: "right" }, cursor: "pointer" }] });
    },
    pareto: function (d) {
      return merge(base, { tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: [{ name: d.name, type: "line", showSymbol: false, areaStyle: { opacity: 0.15 }, data: d.points },
                 { name: d.even, type: "line", showSymbol: false, lineStyle: { type: "dashed" }, data: [[0, 0], [100, 100]] }] });
    },
    channels: function (d) {
      return merge(base, { xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, rotate: d.names.length > 5 ? 30 : 0 } },
        yAxis: [{ type: "value" }, { type: "value" }],
        series: [{ name: d.cac_name, type: "bar", data: d.cac, tooltip: { valueFormatter: money } },
                 { name: d.ratio_name, type: "line", yAxisIndex: 1, data: d.ltv_cac }] });
    }
  };

  var charts = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var name = el.getAttribute("data-chart");
    if (!draw[name] || data[name] == null) { return; }
    var c = echarts.init(el, null, { renderer: "canvas" });
    c.setOption(draw[name](data[name]));
    if (name === "segments") {
      // Click a bar to see its members.
      c.on("click", function (p) {
        if (p.data && p.data.segment) { window.location.href = "/customers?segment=" + encodeURIComponent(p.data.segment) + "&as_of=" + encodeURIComponent(data.as_of || ""); }
      });
    }
    charts.push(c);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.setAttribute("data-charts-drawn", String(charts.length));
})();
