// The mandate page's "Imprimer" button: a script file, as the page's CSP forbids inline code.
document.getElementById("print")?.addEventListener("click", () => window.print());
