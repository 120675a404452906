import ContactList from "./components/ContactList";
import { contacts } from "/app/lib/data";
import styles from "./App.module.css";
import "./global.css";

export default function App() {
  return (
    <div className={styles.shell}>
      <header className={styles.header}>CRM</header>
      <ContactList contacts={contacts} />
    </div>
  );
}
