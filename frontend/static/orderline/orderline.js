/* Orderline: a table that scrolls sideways shows it. A `.ol-scroll-wrap` holding a
   `[data-ol-scroll]` box gets `ol-scrollable`, `ol-more-start` and `ol-more-end`
   (the CSS draws a shadow on the side with more columns); a `.ol-scroll-hint` next
   to the wrap is shown only while the table is wider than the screen. */
(function () {
  function update(box) {
    var wrap = box.closest(".ol-scroll-wrap");
    if (!wrap) return;
    var more = box.scrollWidth - box.clientWidth;
    var sticky = box.querySelector("tbody th:first-child, tbody td:first-child");
    if (sticky && getComputedStyle(sticky).position === "sticky") {
      wrap.style.setProperty("--ol-sticky-width", sticky.offsetWidth + "px");
    }
    wrap.classList.toggle("ol-scrollable", more > 1);
    wrap.classList.toggle("ol-more-start", box.scrollLeft > 1);
    wrap.classList.toggle("ol-more-end", box.scrollLeft < more - 1);
    var hint = wrap.parentElement && wrap.parentElement.querySelector(".ol-scroll-hint");
    if (hint) hint.hidden = more <= 1;
  }
  function init() {
    document.querySelectorAll("[data-ol-scroll]").forEach(function (box) {
      if (box.dataset.olScrollReady) return;
      box.dataset.olScrollReady = "1";
      box.addEventListener("scroll", function () { update(box); }, { passive: true });
      update(box);
    });
  }
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-ol-scroll]").forEach(update);
  });
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
  if (document.readyState !== "loading") init();
})();
