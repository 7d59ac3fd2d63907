// Rapport: small enhancements. Every page works without this script.
"use strict";

// Take people straight to the list of problems after a form is sent back.
function focusProblems() {
  const problems = document.getElementById("problems");
  if (problems) problems.focus();
}

// "Log a referral": a sent referral must name its partner, so "Source unknown" is only
// offered for received ones, and the partner label says which way the client went.
function wireReferralDirection() {
  const form = document.getElementById("referral-form");
  if (!form) return;
  const partner = form.querySelector("#f-partner_id");
  const label = form.querySelector('label[for="f-partner_id"]');
  if (!partner || !label) return;
  const unknown = partner.querySelector('option[value=""]');
  const update = () => {
    const checked = form.querySelector('input[name="direction"]:checked');
    const sent = checked && checked.value === "sent";
    label.firstChild.textContent = sent ? "Sent to" : "Received from";
    if (!unknown) return;
    unknown.textContent = sent ? "Choose a partner" : "Source unknown";
    // Left selected while disabled, it reads as a placeholder and is not sent.
    unknown.disabled = sent;
  };
  form.addEventListener("change", (event) => {
    if (event.target.name === "direction") update();
  });
  update();
}

// Error pages: a "Go back" button when there is somewhere to go back to.
function wireBackButtons() {
  if (window.history.length < 2) return;
  for (const button of document.querySelectorAll("[data-back]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.history.back());
  }
}

// Approval queue: "Copy text" puts a partner update on the clipboard.
function wireCopyButtons() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      await navigator.clipboard.writeText(source.value ?? source.textContent);
      button.textContent = "Copied";
    });
  }
}

// Main navigation (disclosure buttons): "Menu" opens the sections on a phone, and each
// section's button its pages on wider screens, one at a time. Escape, a click elsewhere or
// tabbing away closes a section. Without this script every section lies open.
function wireNav() {
  const nav = document.querySelector("[data-nav]");
  if (!nav) return;
  const buttons = [...nav.querySelectorAll("button[aria-expanded]")];
  const sections = buttons.filter((b) => b.classList.contains("nav-group-toggle"));
  const isOpen = (button) => button.getAttribute("aria-expanded") === "true";
  const setOpen = (button, open) => button.setAttribute("aria-expanded", String(open));
  const closeSections = () => sections.filter(isOpen).forEach((b) => setOpen(b, false));
  for (const button of buttons) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const open = !isOpen(button);
      if (sections.includes(button)) closeSections();
      setOpen(button, open);
    });
  }
  nav.classList.add("nav-js");
  nav.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = sections.find(isOpen) || buttons.find(isOpen);
    if (!open) return;
    setOpen(open, false);
    open.focus();
  });
  nav.addEventListener("focusout", (event) => {
    if (!nav.contains(event.relatedTarget)) closeSections();
  });
  document.addEventListener("click", (event) => {
    if (!nav.contains(event.target)) closeSections();
  });
}

// Integrations: while a CRM sync runs, its progress is read every two seconds; when it ends,
// the page reloads with the result and the history. Without this script: "Refresh".
function wireSyncProgress() {
  for (const box of document.querySelectorAll("[data-sync-progress]")) {
    const text = box.querySelector("[data-sync-text]");
    const bar = box.querySelector("progress");
    box.querySelector("[data-sync-refresh]").hidden = true;
    const poll = async () => {
      try {
        const response = await fetch(box.dataset.syncProgress, {
          headers: { Accept: "application/json" },
        });
        if (response.ok) {
          const p = await response.json();
          if (!p.syncing) {
            window.location.assign(box.dataset.done);
            return;
          }
          if (p.status === "running") {
            const of = p.total ? ` of ${p.total}` : "";
            text.textContent =
              `${p.seen}${of} contacts read: ${p.created} created, ` +
              `${p.updated} updated, ${p.unchanged} unchanged.`;
            if (p.total) {
              bar.max = p.total;
              bar.value = p.seen;
            }
          }
        }
      } catch {
        // Offline for a moment (a phone between meetings): ask again.
      }
      window.setTimeout(poll, 2000);
    };
    window.setTimeout(poll, 2000);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  wireNav();
  focusProblems();
  wireCopyButtons();
  wireReferralDirection();
  wireBackButtons();
  wireSyncProgress();
});
