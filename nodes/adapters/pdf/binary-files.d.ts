/** Fichiers binaires embarqués à la construction (polices, profil de couleur) : leur contenu. */
declare module '*.woff' {
	const data: Uint8Array;
	export default data;
}
