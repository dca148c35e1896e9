// Après les tests : arrêt du serveur PostgreSQL privé démarré par global-setup.js.
module.exports = async () => {
	globalThis.__clausesPostgres?.stop();
};
