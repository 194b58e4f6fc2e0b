// Draws /console/spend.json with uPlot: each repository's spend this month by day, and its monthly budget as a
// dashed line of the same colour. The page works without it; the table below the chart has the same numbers.
(function () {
  var box = document.getElementById('spend-chart');
  if (!box || typeof uPlot === 'undefined') { return; }
  var colours = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#9a6700', '#bf3989', '#1b7c83', '#59636e'];
  fetch(box.getAttribute('data-src'), { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
    .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
    .then(function (data) {
      if (data.repositories.length === 0) { box.textContent = 'No spend yet.'; return; }
      var xs = data.days.map(function (day) { return Date.parse(day + 'T00:00:00Z') / 1000; });
      var columns = [xs];
      var series = [{}];
      data.repositories.forEach(function (repo, i) {
        var colour = colours[i % colours.length];
        columns.push(repo.month_to_date);
        series.push({ label: repo.repository + ' this month', stroke: colour, width: 2,
                      value: function (u, v) { return v == null ? '' : '$' + v.toFixed(2); } });
        columns.push(xs.map(function () { return repo.monthly_budget; }));
        series.push({ label: repo.repository + ' budget', stroke: colour, width: 1, dash: [6, 4],
                      value: function (u, v) { return v == null ? '' : '$' + v.toFixed(2); } });
      });
      box.textContent = '';
      var width = Math.max(280, box.clientWidth);
      var plot = new uPlot({
        width: width, height: Math.round(Math.min(360, width * 0.55)),
        series: series,
        scales: { x: { time: true } },
        axes: [{}, { values: function (u, ticks) { return ticks.map(function (t) { return '$' + t; }); }, size: 60 }]
      }, columns, box);
      window.addEventListener('resize', function () {
        var w = Math.max(280, box.clientWidth);
        plot.setSize({ width: w, height: Math.round(Math.min(360, w * 0.55)) });
      });
      box.setAttribute('data-drawn', 'true');
    })
    .catch(function (error) { box.textContent = 'The chart could not load its data (' + error.message + ').'; });
})();
