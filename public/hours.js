// The venue page's "open now": the server rendered the line for its time and
// the lines that follow for a week, each with the instant it starts
// (data-from, ms since 1970 UTC). Show the one for this clock, now and every
// 30 s, so a copy from the page cache or a tab left open stays right.
(function () {
  function show() {
    document.querySelectorAll("[data-hours-now]").forEach(function (box) {
      var lines = box.querySelectorAll("[data-from]");
      var now = Date.now();
      var pick = lines[0];
      lines.forEach(function (line) {
        if (Number(line.dataset.from) <= now) pick = line;
      });
      lines.forEach(function (line) {
        line.hidden = line !== pick;
      });
    });
  }
  show();
  setInterval(show, 30000);
})();
