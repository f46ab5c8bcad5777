// Progress of a bulk export job: poll the JSON status until the job ends, then reload
// the page (which shows the download link or the error). Without JavaScript the page
// refreshes itself (<noscript><meta refresh>).
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || box.dataset.active !== "1") return;
  var bar = document.getElementById("export-progress");
  var text = document.getElementById("export-progress-text");
  var status = document.getElementById("export-status");
  var step = document.getElementById("export-step");
  var url = box.dataset.statusUrl;
  var delay = 1000;

  function number(n) { return Number(n).toLocaleString("ja-JP"); }

  function show(data) {
    bar.max = Math.max(data.total, 1);
    bar.value = data.finished && data.status === "done" ? data.total : data.done;
    bar.textContent = data.percent + "%";
    text.textContent = number(data.done) + " / " + number(data.total) + " 件（" + data.percent + "%）";
    status.textContent = data.status_label;
    status.className = "job-status job-" + data.status;
    if (step && data.step) step.textContent = data.step;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload();
        } else {
          delay = 1000;
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000); // server busy or offline: back off
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
