/* Orderline: paying online with Stripe's Payment Element (an ES module, loaded by the
   shop's pay page only).

   Stripe.js comes through the npm package @stripe/stripe-js (served from our static
   files as vendor/stripe-js/index.mjs, the page says where in data-loader). That loader
   adds Stripe's own <script src="https://js.stripe.com/..."> to the page: Stripe
   requires Stripe.js to be loaded from js.stripe.com (PCI compliance; it must not be
   bundled or self-hosted), so that one request goes to Stripe, card data never reaches
   us. The payment is a direct charge on the supplier's connected account, so Stripe.js
   is started with that account (stripeAccount).

   The form ([data-ol-pay]) carries the publishable key, the account, the amount in the
   smallest unit and the currency. The Payment Element shows the methods the account
   offers (card, Alipay, WeChat Pay …) before any payment exists; on submit we ask our
   server for the PaymentIntent (POST the form: the same token gives the same payment),
   then Stripe confirms it and brings the dealer back to the return page. */

const form = document.querySelector("[data-ol-pay]");
if (form) start(form);

async function start(form) {
  const data = form.dataset;
  const button = form.querySelector("[data-ol-pay-submit]");
  const errorBox = form.querySelector("[data-ol-pay-error]");
  const showError = (message) => {
    errorBox.textContent = message || data.failed;
    errorBox.classList.remove("d-none");
  };
  const clearError = () => errorBox.classList.add("d-none");

  let stripe;
  try {
    const { loadStripe } = await import(data.loader);
    stripe = await loadStripe(data.key, { stripeAccount: data.account, locale: data.locale });
  } catch (error) {
    stripe = null;
  }
  if (!stripe) {
    showError(data.failed);
    return;
  }
  const elements = stripe.elements({
    mode: "payment",
    amount: Number(data.amount),
    currency: data.currency,
    appearance: { theme: "stripe" },
  });
  const element = elements.create("payment", { layout: "tabs" });
  const loading = form.querySelector("[data-ol-pay-loading]");
  element.on("ready", () => {
    if (loading) loading.remove();
    button.disabled = false;
  });
  element.mount(form.querySelector("[data-ol-pay-element]"));

  let intent = null; // {client_secret, return_url} once our server has made it
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    clearError();
    try {
      const checked = await elements.submit();
      if (checked.error) {
        showError(checked.error.message);
        return;
      }
      if (!intent) {
        const response = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const answer = await response.json().catch(() => ({}));
        if (!response.ok || !answer.client_secret) {
          showError(answer.error && answer.error.message);
          return;
        }
        intent = answer;
      }
      const result = await stripe.confirmPayment({
        elements,
        clientSecret: intent.client_secret,
        confirmParams: { return_url: intent.return_url },
      });
      // Only reached when the payment could not be confirmed (else Stripe redirects).
      if (result.error) showError(result.error.message);
    } catch (error) {
      showError(data.failed);
    } finally {
      button.disabled = false;
    }
  });
}
