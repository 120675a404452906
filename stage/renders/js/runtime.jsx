// Mounts the session's default export inside an error boundary and reports runtime errors to the page. The app
// renders again whenever the session's live state changes (@stage/convex's liveData and messages, @stage/kv).
import { Component, createElement, isValidElement, useSyncExternalStore } from "react";
import { createRoot } from "react-dom/client";
import { current, subscribe } from "./stage/bridge";

const report = (error) => window.__stageReport && window.__stageReport(error);

class Boundary extends Component {
  constructor(props) {
    super(props);
    this.state = { error: null };
  }
  static getDerivedStateFromError(error) {
    return { error };
  }
  componentDidCatch(error) {
    report(error);
  }
  render() {
    if (!this.state.error) return this.props.children;
    return createElement("pre", { "data-stage-error": "", style: { color: "#b00020", whiteSpace: "pre-wrap", padding: 16 } },
      String(this.state.error && this.state.error.stack || this.state.error));
  }
}

export function mount(Entry) {
  const isComponent = typeof Entry === "function" || (Entry && typeof Entry === "object" && "$$typeof" in Entry);
  if (!isComponent && !isValidElement(Entry)) throw new Error("Entry point must default-export a React component");
  let container = document.getElementById("root");
  if (!container) {
    container = document.createElement("div");
    container.id = "root";
    document.body.appendChild(container);
  }
  function Live() {
    useSyncExternalStore(subscribe, current);
    return isValidElement(Entry) ? Entry : createElement(Entry);
  }
  const root = createRoot(container);
  root.render(createElement(Boundary, null, createElement(Live)));
  window.__stageUnmount = () => root.unmount(); // a newer render of the app replaces this one in place
}
