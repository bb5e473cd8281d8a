// Starts Swagger UI on the OpenAPI document; kept out of the page so the CSP can forbid inline scripts.
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
