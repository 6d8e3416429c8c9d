//! What Link API's own pages say to a customer outside the journey itself
//! (a link that no longer opens it, the end of a Link URL, the Sandbox), in
//! the shipped languages: `{client}` is the client's name, `{platform}` the
//! platform's.

/// The languages the pages are written in; any other reads English.
pub const LANGUAGES: [&str; 5] = ["en", "fr", "de", "es", "ar"];

/// Whether `language` is written right to left.
pub fn right_to_left(language: &str) -> bool {
    matches!(language, "ar" | "he" | "fa" | "ur")
}

/// A page's reason to be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The client requires signed links and this visit came without one.
    OpenYourLink,
    /// A signed link already opened, in another browser.
    LinkUsed,
    /// A signed link expired or revoked.
    LinkEnded,
    /// A link that names nothing known (mistyped, cut short).
    LinkUnknown,
    /// A journey URL whose company does not exist (deleted, or never).
    CompanyUnknown,
    /// The end of a journey with no page of the client's to go back to.
    AllDone,
    /// A Link URL ended with the platform connected.
    Connected,
    /// The customer stopped at the provider.
    Cancelled,
    /// The platform's category needs a consent first.
    ConsentMissing,
    /// This platform cannot be connected here (disabled, or not made for it).
    NotOffered,
    /// The connection failed for another reason.
    NotConnected,
    /// A Sandbox sign-in page met again after it was answered (Back, or an old tab).
    SandboxAnswered,
}

/// A page's headline and text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    pub title: &'static str,
    pub body: &'static str,
}

/// The shipped language of `locale` (`fr` for `fr-CA`), if it is one.
pub fn shipped(locale: &str) -> Option<&'static str> {
    let asked = locale.split(['-', '_']).next().unwrap_or_default();
    LANGUAGES
        .into_iter()
        .find(|shipped| shipped.eq_ignore_ascii_case(asked))
}

/// The shipped language of `locale`, English for any other.
pub fn language(locale: &str) -> &'static str {
    shipped(locale).unwrap_or("en")
}

/// What `notice` says in `language` (one of [`LANGUAGES`]; English otherwise).
pub fn words(notice: Notice, language: &str) -> Words {
    let [title, body] = match language {
        "fr" => french(notice),
        "de" => german(notice),
        "es" => spanish(notice),
        "ar" => arabic(notice),
        _ => english(notice),
    };
    Words { title, body }
}

/// The label of the link to the client's help page.
pub fn help_label(language: &str) -> &'static str {
    match language {
        "fr" => "Besoin d’aide ? Contactez {client}",
        "de" => "Brauchen Sie Hilfe? Wenden Sie sich an {client}",
        "es" => "¿Necesita ayuda? Contacte con {client}",
        "ar" => "هل تحتاج إلى مساعدة؟ تواصل مع {client}",
        _ => "Need help? Contact {client}",
    }
}

/// The Sandbox's sign-in page: headline, question, approve, deny.
pub fn sandbox_words(language: &str) -> [&'static str; 4] {
    match language {
        "fr" => [
            "Sandbox comptabilité",
            "{client} demande à lire les données comptables de cette entreprise de test.",
            "Autoriser",
            "Refuser",
        ],
        "de" => [
            "Sandbox-Buchhaltung",
            "{client} möchte die Buchhaltungsdaten dieses Testunternehmens lesen.",
            "Erlauben",
            "Ablehnen",
        ],
        "ar" => [
            "محاسبة Sandbox",
            "تطلب {client} قراءة البيانات المحاسبية لهذه الشركة التجريبية.",
            "موافقة",
            "رفض",
        ],
        "es" => [
            "Contabilidad de Sandbox",
            "{client} solicita leer los datos contables de esta empresa de prueba.",
            "Autorizar",
            "Denegar",
        ],
        _ => [
            "Sandbox accounting",
            "{client} asks to read this sandbox company's accounting data.",
            "Approve",
            "Deny",
        ],
    }
}

fn english(notice: Notice) -> [&'static str; 2] {
    match notice {
        Notice::OpenYourLink => ["Open the link you were sent", "This journey opens from the link {client} sent you. If you cannot find it, ask {client} for a new one."],
        Notice::LinkUsed => ["This link was already used", "Each link opens the journey once. Ask {client} for a new link."],
        Notice::LinkEnded => ["This link has expired", "It is past its time or was withdrawn. Ask {client} for a new link."],
        Notice::LinkUnknown => ["This link is not valid", "Check that the whole address was copied, or ask for a new link."],
        Notice::CompanyUnknown => ["This link leads nowhere", "The business it was made for is no longer here. Ask whoever sent it for a new link."],
        Notice::AllDone => ["All done", "Thank you. You can close this window."],
        Notice::Connected => ["{platform} is connected", "You can close this window and go back to {client}."],
        Notice::Cancelled => ["{platform} was not connected", "You stopped before giving access. You can close this window, or go back to {client} to try again."],
        Notice::ConsentMissing => ["{platform} was not connected", "{client} needs your consent to share this data first. Go back to {client} to give it."],
        Notice::NotOffered => ["{platform} was not connected", "This platform cannot be connected here. Go back to {client} to choose another."],
        Notice::NotConnected => ["{platform} was not connected", "Something went wrong on the way. Go back to {client} to try again."],
        Notice::SandboxAnswered => ["This sign-in was already answered", "Nothing more is needed here. Use your browser’s Back button to return to the journey."],
    }
}

fn french(notice: Notice) -> [&'static str; 2] {
    match notice {
        Notice::OpenYourLink => ["Ouvrez le lien que vous avez reçu", "Ce parcours s’ouvre depuis le lien que {client} vous a envoyé. Si vous ne le trouvez pas, demandez-en un nouveau à {client}."],
        Notice::LinkUsed => ["Ce lien a déjà été utilisé", "Chaque lien n’ouvre le parcours qu’une fois. Demandez un nouveau lien à {client}."],
        Notice::LinkEnded => ["Ce lien a expiré", "Son délai est passé ou il a été retiré. Demandez un nouveau lien à {client}."],
        Notice::LinkUnknown => ["Ce lien n’est pas valide", "Vérifiez que l’adresse a été copiée en entier, ou demandez un nouveau lien."],
        Notice::CompanyUnknown => ["Ce lien ne mène nulle part", "L’entreprise pour laquelle il a été créé n’existe plus. Demandez un nouveau lien à la personne qui vous l’a envoyé."],
        Notice::AllDone => ["C’est terminé", "Merci. Vous pouvez fermer cette fenêtre."],
        Notice::Connected => ["{platform} est connecté", "Vous pouvez fermer cette fenêtre et revenir à {client}."],
        Notice::Cancelled => ["{platform} n’a pas été connecté", "Vous vous êtes arrêté avant de donner l’accès. Vous pouvez fermer cette fenêtre, ou revenir à {client} pour réessayer."],
        Notice::ConsentMissing => ["{platform} n’a pas été connecté", "{client} a d’abord besoin de votre consentement pour partager ces données. Revenez à {client} pour le donner."],
        Notice::NotOffered => ["{platform} n’a pas été connecté", "Cette plateforme ne peut pas être connectée ici. Revenez à {client} pour en choisir une autre."],
        Notice::NotConnected => ["{platform} n’a pas été connecté", "Un problème est survenu en chemin. Revenez à {client} pour réessayer."],
        Notice::SandboxAnswered => ["Cette connexion a déjà reçu une réponse", "Il n’y a plus rien à faire ici. Utilisez le bouton Retour de votre navigateur pour revenir au parcours."],
    }
}

fn german(notice: Notice) -> [&'static str; 2] {
    match notice {
        Notice::OpenYourLink => ["Öffnen Sie den Link, den Sie erhalten haben", "Dieser Ablauf öffnet sich über den Link, den {client} Ihnen gesendet hat. Wenn Sie ihn nicht finden, bitten Sie {client} um einen neuen."],
        Notice::LinkUsed => ["Dieser Link wurde bereits verwendet", "Jeder Link öffnet den Ablauf nur einmal. Bitten Sie {client} um einen neuen Link."],
        Notice::LinkEnded => ["Dieser Link ist abgelaufen", "Seine Gültigkeit ist vorbei oder er wurde zurückgezogen. Bitten Sie {client} um einen neuen Link."],
        Notice::LinkUnknown => ["Dieser Link ist ungültig", "Prüfen Sie, ob die ganze Adresse kopiert wurde, oder bitten Sie um einen neuen Link."],
        Notice::CompanyUnknown => ["Dieser Link führt nirgendwohin", "Das Unternehmen, für das er erstellt wurde, gibt es hier nicht mehr. Bitten Sie den Absender um einen neuen Link."],
        Notice::AllDone => ["Fertig", "Vielen Dank. Sie können dieses Fenster schließen."],
        Notice::Connected => ["{platform} ist verbunden", "Sie können dieses Fenster schließen und zu {client} zurückkehren."],
        Notice::Cancelled => ["{platform} wurde nicht verbunden", "Sie haben abgebrochen, bevor Sie den Zugriff erlaubt haben. Sie können dieses Fenster schließen oder zu {client} zurückkehren, um es erneut zu versuchen."],
        Notice::ConsentMissing => ["{platform} wurde nicht verbunden", "{client} braucht zuerst Ihre Einwilligung, diese Daten zu teilen. Kehren Sie zu {client} zurück, um sie zu geben."],
        Notice::NotOffered => ["{platform} wurde nicht verbunden", "Diese Plattform kann hier nicht verbunden werden. Kehren Sie zu {client} zurück, um eine andere zu wählen."],
        Notice::NotConnected => ["{platform} wurde nicht verbunden", "Unterwegs ist etwas schiefgelaufen. Kehren Sie zu {client} zurück, um es erneut zu versuchen."],
        Notice::SandboxAnswered => ["Diese Anmeldung wurde bereits beantwortet", "Hier ist nichts mehr zu tun. Mit der Zurück-Taste Ihres Browsers kehren Sie zum Ablauf zurück."],
    }
}

fn spanish(notice: Notice) -> [&'static str; 2] {
    match notice {
        Notice::OpenYourLink => ["Abra el enlace que recibió", "Este proceso se abre desde el enlace que {client} le envió. Si no lo encuentra, pida uno nuevo a {client}."],
        Notice::LinkUsed => ["Este enlace ya se ha utilizado", "Cada enlace abre el proceso una sola vez. Pida a {client} un nuevo enlace."],
        Notice::LinkEnded => ["Este enlace ha caducado", "Ha pasado su plazo o se ha retirado. Pida a {client} un nuevo enlace."],
        Notice::LinkUnknown => ["Este enlace no es válido", "Compruebe que ha copiado la dirección completa, o pida un nuevo enlace."],
        Notice::CompanyUnknown => ["Este enlace no lleva a ninguna parte", "La empresa para la que se creó ya no existe. Pida un nuevo enlace a quien se lo envió."],
        Notice::AllDone => ["Todo listo", "Gracias. Puede cerrar esta ventana."],
        Notice::Connected => ["{platform} está conectado", "Puede cerrar esta ventana y volver a {client}."],
        Notice::Cancelled => ["{platform} no se ha conectado", "Se detuvo antes de dar acceso. Puede cerrar esta ventana o volver a {client} para intentarlo de nuevo."],
        Notice::ConsentMissing => ["{platform} no se ha conectado", "{client} necesita primero su consentimiento para compartir estos datos. Vuelva a {client} para darlo."],
        Notice::NotOffered => ["{platform} no se ha conectado", "Esta plataforma no se puede conectar aquí. Vuelva a {client} para elegir otra."],
        Notice::NotConnected => ["{platform} no se ha conectado", "Algo salió mal por el camino. Vuelva a {client} para intentarlo de nuevo."],
        Notice::SandboxAnswered => ["Este inicio de sesión ya tiene respuesta", "Aquí no hace falta nada más. Use el botón Atrás de su navegador para volver al proceso."],
    }
}

fn arabic(notice: Notice) -> [&'static str; 2] {
    match notice {
        Notice::OpenYourLink => ["افتح الرابط الذي أُرسل إليك", "تُفتح هذه الرحلة من الرابط الذي أرسلته إليك {client}. إن لم تجده، فاطلب من {client} رابطًا جديدًا."],
        Notice::LinkUsed => ["سبق استخدام هذا الرابط", "كل رابط يفتح الرحلة مرة واحدة فقط. اطلب من {client} رابطًا جديدًا."],
        Notice::LinkEnded => ["انتهت صلاحية هذا الرابط", "انقضت مدته أو تم سحبه. اطلب من {client} رابطًا جديدًا."],
        Notice::LinkUnknown => ["هذا الرابط غير صالح", "تحقّق من نسخ العنوان كاملًا، أو اطلب رابطًا جديدًا."],
        Notice::CompanyUnknown => ["هذا الرابط لا يؤدي إلى أي مكان", "الشركة التي أُنشئ من أجلها لم تعد موجودة. اطلب رابطًا جديدًا ممن أرسله إليك."],
        Notice::AllDone => ["اكتمل كل شيء", "شكرًا لك. يمكنك إغلاق هذه النافذة."],
        Notice::Connected => ["تم ربط {platform}", "يمكنك إغلاق هذه النافذة والعودة إلى {client}."],
        Notice::Cancelled => ["لم يتم ربط {platform}", "توقفت قبل منح الصلاحية. يمكنك إغلاق هذه النافذة، أو العودة إلى {client} للمحاولة مجددًا."],
        Notice::ConsentMissing => ["لم يتم ربط {platform}", "تحتاج {client} أولًا إلى موافقتك على مشاركة هذه البيانات. عد إلى {client} لتمنحها."],
        Notice::NotOffered => ["لم يتم ربط {platform}", "لا يمكن ربط هذه المنصة هنا. عد إلى {client} لاختيار منصة أخرى."],
        Notice::NotConnected => ["لم يتم ربط {platform}", "حدث خطأ في الطريق. عد إلى {client} للمحاولة مجددًا."],
        Notice::SandboxAnswered => ["سبقت الإجابة على تسجيل الدخول هذا", "لا حاجة إلى أي شيء آخر هنا. استخدم زر الرجوع في متصفحك للعودة إلى الرحلة."],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Notice; 12] = [
        Notice::OpenYourLink,
        Notice::LinkUsed,
        Notice::LinkEnded,
        Notice::LinkUnknown,
        Notice::CompanyUnknown,
        Notice::AllDone,
        Notice::Connected,
        Notice::Cancelled,
        Notice::ConsentMissing,
        Notice::NotOffered,
        Notice::NotConnected,
        Notice::SandboxAnswered,
    ];

    #[test]
    fn a_locale_reads_its_shipped_language_or_english() {
        assert_eq!(language("fr-CA"), "fr");
        assert_eq!(language("DE"), "de");
        assert_eq!(language("es_MX"), "es");
        assert_eq!(language("ja-JP"), "en");
        assert_eq!(language(""), "en");
    }

    #[test]
    fn every_language_says_every_notice_with_the_same_placeholders() {
        let placeholders = |text: &str| {
            ["{client}", "{platform}"]
                .into_iter()
                .filter(|p| text.contains(p))
                .collect::<Vec<_>>()
        };
        for notice in ALL {
            let english = words(notice, "en");
            for language in LANGUAGES {
                let said = words(notice, language);
                assert!(!said.title.is_empty() && !said.body.is_empty());
                assert_eq!(
                    placeholders(said.title),
                    placeholders(english.title),
                    "{notice:?} in {language}"
                );
                if language != "en" {
                    assert_ne!(
                        said.body, english.body,
                        "{notice:?} in {language} is not translated"
                    );
                }
            }
        }
    }
}
