"""openklant plugin: Open Klant (Klantinteracties API) as the store of klantcontacten and
contactverzoeken, written the way KISS writes them."""
