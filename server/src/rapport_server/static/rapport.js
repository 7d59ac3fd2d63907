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

document.addEventListener("DOMContentLoaded", () => {
  focusProblems();
  wireCopyButtons();
  wireReferralDirection();
  wireBackButtons();
});
