/* The wall dashboard: fetch the page's .json twin, fill the KPI tiles, draw the charts with
   Chart.js, and do it again every data-refresh-s seconds without reloading the page. */
(function () {
  "use strict";
  var script = document.currentScript;
  var jsonUrl = script.dataset.jsonUrl;
  var refreshMs = Math.max(1, Number(script.dataset.refreshS) || 30) * 1000;
  var charts = {};
  var refreshes = 0;

  Chart.defaults.color = "#c9d4e5";
  Chart.defaults.borderColor = "#2a3854";
  Chart.defaults.font.size = 16;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.animation = false;  // a wall display redraws often; no motion needed

  var PALETTE = ["#4cc9f0", "#ffd166", "#ef476f", "#06d6a0", "#9b5de5", "#f78c6b",
                 "#83c5be", "#e5e5e5", "#ff99c8", "#a0c4ff", "#caffbf", "#fdffb6"];

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value; }
  }

  function pct(share) {
    return share === null || share === undefined ? "–" : (100 * share).toFixed(1) + " %";
  }

  /* Create the chart once, then only swap its data (keeps the canvas, no flicker). */
  function draw(id, config) {
    if (charts[id]) {
      charts[id].data.labels = config.data.labels;
      config.data.datasets.forEach(function (dataset, i) {
        if (charts[id].data.datasets[i]) {
          charts[id].data.datasets[i].data = dataset.data;
        } else {
          charts[id].data.datasets.push(dataset);
        }
      });
      charts[id].update();
      return;
    }
    charts[id] = new Chart(document.getElementById(id), config);
  }

  function bar(labels, datasets, options) {
    return {type: "bar", data: {labels: labels, datasets: datasets},
            options: Object.assign({responsive: true}, options || {})};
  }

  function render(doc) {
    var campaigns = doc.campaigns || [];
    var contacted = campaigns.reduce(function (s, c) { return s + c.contacted; }, 0);
    var booked = campaigns.reduce(function (s, c) { return s + c.booked_after_contact; }, 0);
    text("computed-at", doc.computed_at);
    text("kpi-residents-covered", doc.residents_covered);
    text("kpi-open-alerts", doc.alerts.open);
    text("kpi-oldest-alert", doc.alerts.oldest_age_days === null ? "–" : doc.alerts.oldest_age_days);
    text("kpi-campaign-take-up", contacted ? (100 * booked / contacted).toFixed(1) + " %" : "–");
    text("kpi-volunteer-hours", Math.round(doc.volunteers.hours));
    text("kpi-volunteers", doc.volunteers.volunteers);
    text("kpi-service-coverage", pct(doc.service_coverage.any_share));

    var programs = doc.programs || [];
    draw("chart-programs", bar(programs.map(function (p) { return p.name; }), [
      {label: "已参与 covered", data: programs.map(function (p) { return p.covered; }),
       backgroundColor: "#06d6a0"},
      {label: "沉默 silent", data: programs.map(function (p) { return p.silent || 0; }),
       backgroundColor: "#ef476f"}],
      {indexAxis: "y", scales: {x: {stacked: true}, y: {stacked: true}}}));

    var types = doc.service_coverage.by_type || [];
    draw("chart-coverage", bar(types.map(function (t) { return t.type; }), [
      {label: "% of buildings", data: types.map(function (t) { return +(100 * t.share).toFixed(1); }),
       backgroundColor: "#4cc9f0"}],
      {indexAxis: "y", scales: {x: {min: 0, max: 100}}, plugins: {legend: {display: false}}}));

    var buckets = doc.alerts.age_buckets || [];
    draw("chart-alerts", bar(buckets.map(function (b) { return b.label; }), [
      {label: "open alerts", data: buckets.map(function (b) { return b.count; }),
       backgroundColor: ["#06d6a0", "#ffd166", "#f78c6b", "#ef476f"]}],
      {plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}));

    draw("chart-campaigns", bar(campaigns.map(function (c) { return c.name; }), [
      {label: "take-up %", data: campaigns.map(function (c) {
        return c.take_up_rate === null ? 0 : +(100 * c.take_up_rate).toFixed(1); }),
       backgroundColor: "#ffd166"}],
      {plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true}}}));

    var skills = doc.volunteers.by_skill || [];
    draw("chart-volunteers", {type: "doughnut", data: {
      labels: skills.map(function (s) { return s.skill; }),
      datasets: [{data: skills.map(function (s) { return s.hours; }),
                  backgroundColor: PALETTE, borderColor: "#131d33"}]},
      options: {plugins: {legend: {position: "right"}}}});

    refreshes += 1;
    document.body.dataset.refreshes = String(refreshes);
  }

  function refresh() {
    fetch(jsonUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (doc) {
        document.getElementById("refresh-error").hidden = true;
        render(doc);
      })
      .catch(function (error) {  // keep the last numbers on screen; say they are old
        var el = document.getElementById("refresh-error");
        el.textContent = "刷新失败 refresh failed: " + error.message;
        el.hidden = false;
      })
      .finally(function () { window.setTimeout(refresh, refreshMs); });
  }

  window.minqingDashboard = {charts: charts};
  refresh();
})();
