use axum::extract::State;

#[traced::traced_handler]
async fn handler(
    State(a): State<u8>, State(b): State<u8>, State(c): State<u8>, State(d): State<u8>,
    State(e): State<u8>, State(f): State<u8>, State(g): State<u8>, State(h): State<u8>,
    State(i): State<u8>, State(j): State<u8>, State(k): State<u8>, State(l): State<u8>,
    State(m): State<u8>, State(n): State<u8>, State(o): State<u8>, State(p): State<u8>,
) -> String {
    format!("{a}{b}{c}{d}{e}{f}{g}{h}{i}{j}{k}{l}{m}{n}{o}{p}")
}

fn main() {}
