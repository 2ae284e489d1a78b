// The shopping guide's chat panel (on every page) and size advice on the product page.
// The conversation id and the transcript live in sessionStorage, so the conversation follows the
// shopper from page to page until the tab is closed. The shopper is the one the server knows from
// the browser's shopper-token cookie (the page's body[data-shopper]); the cookie authorises their data.
(() => {
  const KEYS = { session: "vestis.guide.session", log: "vestis.guide.log", open: "vestis.guide.open" };
  const shopper = document.body.dataset.shopper || null;
  const MAX_LOG = 30;
  const SYMBOLS = { EUR: "€", USD: "$", GBP: "£", JPY: "¥" };

  const panel = document.getElementById("guide-panel");
  const toggle = document.querySelector("[data-guide-toggle]");
  if (!panel || !toggle) return;
  const log = panel.querySelector("[data-guide-log]");
  const form = panel.querySelector("[data-guide-form]");
  const input = form.querySelector("input[name=message]");
  const who = panel.querySelector("[data-guide-who]");

  const store = {
    get: (key) => sessionStorage.getItem(key),
    set: (key, value) => sessionStorage.setItem(key, value),
    entries: () => JSON.parse(sessionStorage.getItem(KEYS.log) || "[]"),
  };

  function money(price, currency) {
    if (price === null || price === undefined) return "";
    const symbol = SYMBOLS[(currency || "").toUpperCase()];
    const amount = Number(price).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return symbol ? symbol + amount : `${amount} ${currency || ""}`.trim();
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function productCard(item) {
    const link = element("a", "guide-card");
    link.href = item.link;
    const media = element("span", "guide-card__media");
    if (item.image_url) {
      const image = element("img");
      image.src = item.image_url;
      image.alt = item.title;
      media.append(image);
    }
    const body = element("span", "guide-card__body");
    body.append(element("span", "guide-card__title", item.title), element("span", "guide-card__price", money(item.price, item.currency)));
    if (item.reasons && item.reasons.length) body.append(element("span", "guide-card__reason", item.reasons.join("; ")));
    link.append(media, body);
    return link;
  }

  function render(entry) {
    if (entry.role === "user") {
      log.append(element("p", "guide__msg guide__msg--user", entry.text));
      return;
    }
    const reply = element("div", "guide__msg guide__msg--bot");
    reply.append(element("p", "guide__text", entry.reply.text));
    if (entry.reply.items.length) {
      const cards = element("div", "guide__cards");
      cards.dataset.testid = "guide-results";
      entry.reply.items.forEach((item) => cards.append(productCard(item)));
      reply.append(cards);
    }
    if (entry.reply.outfit) {
      reply.append(element("p", "guide__subhead", `Complete the look: ${entry.reply.outfit.reason}`));
      const cards = element("div", "guide__cards");
      entry.reply.outfit.items.forEach((item) => cards.append(productCard(item)));
      reply.append(cards);
    }
    if (entry.reply.size_advice) {
      const advice = entry.reply.size_advice;
      reply.append(element("p", "guide__size", `${advice.size ? "Size " + advice.size + ": " : ""}${advice.reason}`));
    }
    log.append(reply);
  }

  function remember(entry) {
    const entries = [...store.entries(), entry].slice(-MAX_LOG);
    store.set(KEYS.log, JSON.stringify(entries));
  }

  function setOpen(open, focus = true) {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.hidden = open;
    store.set(KEYS.open, open ? "1" : "");
    if (open) log.scrollTop = log.scrollHeight;
    if (open && focus) input.focus();
  }

  async function send(message) {
    const user = { role: "user", text: message };
    render(user);
    remember(user);
    const pending = element("p", "guide__msg guide__msg--bot guide__msg--pending", "…");
    log.append(pending);
    log.scrollTop = log.scrollHeight;
    const body = { message, session_id: store.get(KEYS.session), user_id: shopper };
    try {
      const response = await fetch("/guide/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      const data = await response.json();
      pending.remove();
      if (!response.ok) throw new Error(data.message || data.detail || `the guide answered ${response.status}`);
      store.set(KEYS.session, data.session_id);
      const entry = { role: "guide", reply: data };
      render(entry);
      remember(entry);
    } catch (error) {
      pending.remove();
      log.append(element("p", "guide__msg guide__msg--error", `Sorry, that did not work: ${error.message}`));
    }
    log.scrollTop = log.scrollHeight;
  }

  async function showSizeAdvice() {
    const slot = document.querySelector("[data-guide-size]");
    if (!slot || !shopper) return;
    const url = `/products/${encodeURIComponent(slot.dataset.guideSize)}/size-advice?user=${encodeURIComponent(shopper)}`;
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const advice = await response.json();
    slot.classList.add("extra", "extra--size-advice");
    const line = element("p");
    line.append(element("strong", "", advice.size ? `Size advice for ${shopper}: ${advice.size}` : `Size advice for ${shopper}`));
    line.append(document.createTextNode(` — ${advice.reason}`));
    slot.replaceChildren(line);
    slot.hidden = false;
  }

  if (shopper) {
    who.textContent = `Shopping as ${shopper}`;
    who.hidden = false;
  }

  store.entries().forEach(render);
  toggle.addEventListener("click", () => setOpen(true));
  panel.querySelector("[data-guide-close]").addEventListener("click", () => setOpen(false));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) setOpen(false);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const message = input.value.trim();
    if (!message) return;
    input.value = "";
    send(message);
  });
  setOpen(store.get(KEYS.open) === "1", false);
  showSizeAdvice();
})();
