// Live updates: ask the JSON API every few seconds whether the page's data changed.
// The page carries the ETag of the data it was rendered from; the server answers 304
// while that is still current. On a change the story page shows a notice with a
// reload button; the home page swaps in its new list of stories.
"use strict";
(function () {
  const main = document.getElementById("main");
  const notice = document.getElementById("live-notice");
  if (!main || !notice || !main.dataset.liveUrl) return;
  const url = main.dataset.liveUrl;
  const seconds = Math.max(1, Number(main.dataset.liveSeconds) || 30);
  let etag = main.dataset.liveEtag || "";
  let busy = false;

  function announce(text, reload) {
    notice.querySelector(".notice-text").textContent = text;
    notice.querySelector(".notice-reload").hidden = !reload;
    notice.hidden = false;
  }

  async function refreshList(target) {
    const response = await fetch(window.location.href, { headers: { Accept: "text/html" } });
    if (!response.ok) return false;
    // DOMParser never runs scripts; the markup is this server's own, escaped page.
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById(target);
    const current = document.getElementById(target);
    const freshMain = page.getElementById("main");
    // Swapping the list under a reader's keyboard focus would drop it: offer a reload.
    if (!fresh || !current || current.contains(document.activeElement)) return false;
    current.replaceWith(document.importNode(fresh, true));
    if (freshMain && freshMain.dataset.liveEtag) etag = freshMain.dataset.liveEtag;
    return true;
  }

  async function changed(tag) {
    etag = tag || etag;
    if (main.dataset.liveMode === "refresh" && main.dataset.liveTarget) {
      if (await refreshList(main.dataset.liveTarget)) {
        announce("Stories updated.", false);
        return;
      }
    }
    announce("Updated: this page has new articles.", true);
  }

  async function poll() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json", "If-None-Match": etag },
        cache: "no-store",
      });
      const tag = response.headers.get("ETag");
      if (response.status === 200 && tag && tag !== etag) await changed(tag);
    } catch (error) {
      // Offline or the server restarting: the next poll tries again.
    } finally {
      busy = false;
    }
  }

  notice.querySelector(".notice-reload").addEventListener("click", function () {
    window.location.reload();
  });
  window.setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) poll();
  });
})();
